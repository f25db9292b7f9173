import { z } from 'zod';

/** The `code` of every successful response body; the official SDK rejects anything else. */
export const SUCCESS_CODE = 1000;

/** Success envelope `{code: 1000, message, data}` wrapped around a data schema. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ code: z.literal(SUCCESS_CODE), message: z.string(), data });
}

/** Query parameters shared by every paginated list. */
export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});
/** Parsed pagination query. */
export type PageQuery = z.infer<typeof PageQuery>;

/** Pagination envelope `{count, next, previous, results}` used by every list endpoint. */
export function paginated<T extends z.ZodType>(item: T) {
  return z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });
}
