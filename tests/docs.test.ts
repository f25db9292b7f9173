import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_CODES } from '@liveface/protocol';

it('docs/errors.md documents every error code', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const missing = ERROR_CODES.filter((c) => !doc.includes(`\`${c}\``));
  expect(missing).toEqual([]);
});
