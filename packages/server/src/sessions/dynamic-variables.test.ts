import { describe, expect, it } from 'vitest';
import { LivefaceError } from '../errors.js';
import {
  fillVariables,
  missingVariables,
  placeholderNames,
  resolveContextText,
} from './dynamic-variables.js';

describe('placeholderNames', () => {
  it('lists each name once, in order of first use across the texts', () => {
    expect(
      placeholderNames(
        'Help ${customer} with ${product}. ${customer} is ${tier}.',
        'Hi ${customer}, ${greeting}!',
      ),
    ).toEqual(['customer', 'product', 'tier', 'greeting']);
  });

  it('reads letters, digits, _, . and - after a letter or _; everything else is text', () => {
    expect(
      placeholderNames('${a_1} ${_x} ${user.first-name} ${ spaced } ${} ${1abc} $plain {x} $${dbl}'),
    ).toEqual(['a_1', '_x', 'user.first-name', 'dbl']);
  });

  it('finds nothing in text without placeholders', () => {
    expect(placeholderNames('You are a helpful assistant.', '')).toEqual([]);
  });

  it('caps names at 64 characters (the longest dynamic_variables key)', () => {
    const long = 'v'.repeat(64);
    expect(placeholderNames(`\${${long}}`)).toEqual([long]);
    expect(placeholderNames(`\${${long}x}`)).toEqual([]);
  });
});

describe('fillVariables', () => {
  it('replaces every occurrence and leaves unknown placeholders as they are', () => {
    expect(fillVariables('Hi ${name}! Bye ${name}. ${other}', { name: 'Ada' })).toBe(
      'Hi Ada! Bye Ada. ${other}',
    );
  });

  it('expands in one pass: a value containing ${…} is inserted verbatim', () => {
    expect(fillVariables('${a} ${b}', { a: '${b}', b: 'B' })).toBe('${b} B');
  });

  it('inserts values literally, even ones that look like replacement patterns', () => {
    expect(fillVariables('x=${v}', { v: "$& $1 $$ $'" })).toBe("x=$& $1 $$ $'");
  });

  it('ignores inherited properties of the variables object', () => {
    expect(fillVariables('${toString}', {})).toBe('${toString}');
  });
});

describe('missingVariables', () => {
  it('names the required variables without a value; an empty string is a value; extras are ignored', () => {
    expect(missingVariables(['a', 'b', 'c'], { a: '', c: 'x', extra: 'y' })).toEqual(['b']);
  });

  it('treats absent variables as all missing', () => {
    expect(missingVariables(['a', 'b'], null)).toEqual(['a', 'b']);
    expect(missingVariables(['a'], undefined)).toEqual(['a']);
    expect(missingVariables([], undefined)).toEqual([]);
  });

  it('does not count inherited properties as values', () => {
    expect(missingVariables(['constructor'], {})).toEqual(['constructor']);
  });
});

describe('resolveContextText (token-time check of a FULL session)', () => {
  const context = {
    id: 'ctx-1',
    prompt: 'You support ${customer} on the ${plan} plan.',
    opening_text: 'Hello ${customer}!',
  };

  it('fills prompt and opening text when every variable is given', () => {
    expect(resolveContextText(context, { customer: 'Ada', plan: 'pro', unused: 'x' })).toEqual({
      prompt: 'You support Ada on the pro plan.',
      opening_text: 'Hello Ada!',
    });
  });

  it('fails with 400 missing_dynamic_variables naming every missing variable', () => {
    let err: unknown;
    try {
      resolveContextText(context, { plan: 'pro' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LivefaceError);
    const e = err as LivefaceError;
    expect(e.code).toBe('missing_dynamic_variables');
    expect(e.status).toBe(400);
    expect(e.field).toBe('dynamic_variables');
    expect(e.message).toContain('"customer"');
    expect(e.message).toContain('ctx-1');
    expect(e.message).not.toContain('"plan"');
    expect(e.issues).toEqual([{ field: 'dynamic_variables.customer', message: 'Required by the context' }]);

    expect(() => resolveContextText(context, undefined)).toThrow(/"customer", "plan"/);
  });

  it('needs no variables for a context without placeholders', () => {
    expect(resolveContextText({ id: 'c', prompt: 'Be kind.', opening_text: '' }, null)).toEqual({
      prompt: 'Be kind.',
      opening_text: '',
    });
  });
});
