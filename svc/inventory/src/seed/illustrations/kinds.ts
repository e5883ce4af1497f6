/** Every kind of product picture and how it is drawn (body only; ./index.ts frames it). */
import { gear } from "./gear";
import { vessels } from "./vessels";

export const drawings = { ...gear, ...vessels } satisfies Record<string, (accent: string) => string>;

export type Kind = keyof typeof drawings;
