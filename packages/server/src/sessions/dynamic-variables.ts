/**
 * `${name}` placeholders of a context's `prompt` and `opening_text` (spec §6.3, §4.1 `dynamic_variables`).
 * A name starts with a letter or `_` and continues with letters, digits, `_`, `.` or `-` (at most 64
 * characters, the longest `dynamic_variables` key); anything else, such as `${ name }` or `${}`, is text.
 */
import { LivefaceError } from '../errors.js';

const PLACEHOLDER = /\$\{([A-Za-z_][\w.-]{0,63})\}/g;

/** Placeholder names used in `texts`, each once, in order of first use. */
export function placeholderNames(...texts: string[]): string[] {
  const names = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names];
}

/**
 * Replaces every placeholder with its value, in one pass (a value that itself contains `${…}` is not
 * expanded again). A placeholder without a value stays as it is: check with `missingVariables` first.
 */
export function fillVariables(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(vars, name) ? vars[name]! : whole,
  );
}

/** The names of `required` that `vars` gives no value for (an empty string counts as a value). */
export function missingVariables(
  required: readonly string[],
  vars: Readonly<Record<string, string>> | null | undefined,
): string[] {
  return required.filter((n) => !vars || !Object.hasOwn(vars, n));
}

/**
 * Token-time (FULL) check and fill of a context: fails with 400 `missing_dynamic_variables` naming every
 * missing variable, else returns the prompt and opening text with the values in place. Extra variables
 * are ignored.
 */
export function resolveContextText(
  context: { id: string; prompt: string; opening_text: string },
  vars: Readonly<Record<string, string>> | null | undefined,
): { prompt: string; opening_text: string } {
  const missing = missingVariables(placeholderNames(context.prompt, context.opening_text), vars);
  if (missing.length > 0) {
    throw new LivefaceError(
      'missing_dynamic_variables',
      `dynamic_variables lacks ${missing.map((n) => `"${n}"`).join(', ')}, required by context ${context.id}.`,
      {
        field: 'dynamic_variables',
        issues: missing.map((n) => ({ field: `dynamic_variables.${n}`, message: 'Required by the context' })),
      },
    );
  }
  const given = vars ?? {};
  return {
    prompt: fillVariables(context.prompt, given),
    opening_text: fillVariables(context.opening_text, given),
  };
}
