import type { z } from 'zod';
import { MarketError } from './errors.js';

/** Zod issues as one message naming each field: "symbol: symbol is required; depth: Too big: ...". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new MarketError('INVALID_INPUT', `Invalid input: ${describeIssues(result.error.issues)}`);
  return result.data;
}
