import { z } from 'zod';
import { ERROR_REASONS } from '../errors.js';
import { exchangeIdSchema, symbolSchema } from '../schemas.js';

/**
 * Inputs and outputs of the cross-venue views (`market.consolidatedBook`, `market.index` and their
 * streams). Inputs carry no transforms, so they render as JSON Schema for OpenAPI and MCP.
 */

export const MIN_VENUES = 2;
export const MAX_VENUES = 10;
export const MAX_CONSOLIDATED_DEPTH = 100;

/** 2..10 distinct exchange ids; the message names the field and, for a repeat, the repeated id. */
export const venueListSchema = z
  .array(exchangeIdSchema)
  .min(MIN_VENUES, `exchanges needs at least ${MIN_VENUES} exchanges`)
  .max(MAX_VENUES, `exchanges takes at most ${MAX_VENUES} exchanges`)
  .superRefine((ids, ctx) => {
    const seen = new Set<string>();
    ids.forEach((raw, index) => {
      // ids are compared as the registry resolves them: trimmed, case-insensitive
      const id = raw.trim().toLowerCase();
      if (seen.has(id))
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `exchanges must be distinct: "${id}" is listed more than once`,
        });
      seen.add(id);
    });
  })
  .describe(`Exchange ids to combine, ${MIN_VENUES} to ${MAX_VENUES}, each at most once`);

export const consolidatedBookInputSchema = z.object({
  symbol: symbolSchema,
  exchanges: venueListSchema,
  depth: z
    .number()
    .int()
    .min(1)
    .max(MAX_CONSOLIDATED_DEPTH)
    .default(20)
    .describe(`Merged levels per side (1..${MAX_CONSOLIDATED_DEPTH})`),
  step: z
    .number()
    .positive('step must be greater than 0')
    .max(1e12)
    .optional()
    .describe('Price grid to group levels on: bids floored, asks ceiled to a multiple of step'),
});

export const indexInputSchema = z.object({ symbol: symbolSchema, exchanges: venueListSchema });

export const venueStateSchema = z.enum(['ok', 'stale', 'error']);

/**
 * Why a venue is not `ok`: the contract's error reason of its failed feed (state `error`), or
 * `STALE` when it sent nothing within 3 update intervals (state `stale`; `timestamp` null when it
 * has sent nothing yet).
 */
export const venueReasonSchema = z.enum([...ERROR_REASONS, 'STALE']);

export const consolidatedVenueSchema = z.object({
  exchange: z.string(),
  state: venueStateSchema,
  /** The venue book's own timestamp, else when it was received; null before its first update. */
  timestamp: z.number().nullable(),
  reason: venueReasonSchema.optional(),
});

export const consolidatedLevelSchema = z.object({
  price: z.number(),
  /** Sum of `venues`. */
  amount: z.number(),
  /** Amount each live venue quotes at this price (only venues with a non-zero amount). */
  venues: z.record(z.string(), z.number()),
});

/** The best price of one side and the venue quoting it; null when no live venue has that side. */
export const bestQuoteSchema = z.object({ price: z.number(), exchange: z.string() }).nullable();

export const consolidatedBookSchema = z.object({
  symbol: z.string(),
  /** When this view was composed (ms since epoch). */
  timestamp: z.number(),
  /** Every requested venue, in request order. */
  venues: z.array(consolidatedVenueSchema),
  /** Highest price first. */
  bids: z.array(consolidatedLevelSchema),
  /** Lowest price first. */
  asks: z.array(consolidatedLevelSchema),
  best: z.object({ bid: bestQuoteSchema, ask: bestQuoteSchema }),
  /** True when a live venue's best bid is above another live venue's best ask. */
  crossed: z.boolean(),
});

export const indexExclusionSchema = z.enum(['stale', 'outlier', 'error']);

export const indexConstituentSchema = z.object({
  exchange: z.string(),
  /** The venue's price (mid of best bid and ask, else last); null when it has none. */
  price: z.number().nullable(),
  timestamp: z.number().nullable(),
  included: z.boolean(),
  excludedBecause: indexExclusionSchema.optional(),
});

export const indexPriceSchema = z.object({
  symbol: z.string(),
  /** Median of the included constituents; null when none is included. */
  price: z.number().nullable(),
  method: z.literal('median'),
  /** When this index was computed (ms since epoch). */
  timestamp: z.number(),
  /** Every requested venue, in request order. */
  constituents: z.array(indexConstituentSchema),
});

export type ConsolidatedBookInput = z.input<typeof consolidatedBookInputSchema>;
export type IndexInput = z.input<typeof indexInputSchema>;
export type VenueState = z.infer<typeof venueStateSchema>;
export type VenueReason = z.infer<typeof venueReasonSchema>;
export type ConsolidatedVenue = z.infer<typeof consolidatedVenueSchema>;
export type ConsolidatedLevel = z.infer<typeof consolidatedLevelSchema>;
export type BestQuote = z.infer<typeof bestQuoteSchema>;
export type ConsolidatedBook = z.infer<typeof consolidatedBookSchema>;
export type IndexExclusion = z.infer<typeof indexExclusionSchema>;
export type IndexConstituent = z.infer<typeof indexConstituentSchema>;
export type IndexPrice = z.infer<typeof indexPriceSchema>;
