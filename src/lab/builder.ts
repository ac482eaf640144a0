import type * as z from 'zod';
import type { LabWorld } from './world.js';

/** A named change a scenario file applies to the lab's world, with its parameters validated by zod. */
export interface Builder<S extends z.ZodType = z.ZodType> {
  description: string;
  params: S;
  apply(world: LabWorld, params: z.infer<S>): void;
}

export function defineBuilder<S extends z.ZodType>(b: Builder<S>): Builder {
  return b as unknown as Builder;
}
