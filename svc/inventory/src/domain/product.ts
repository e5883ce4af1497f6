/** A product as the API answers it (docs/api.md `Product`). */
export interface Product {
  sku: string;
  name: string;
  price: number;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  description: string;
  category: string;
  brand: string;
  /** Root-relative URL path of the picture the shop serves, or "". */
  image: string;
  updatedAt: string;
}

/** reserved: stock held; released: hold dropped (order cancelled); fulfilled: the goods left (order shipped). */
export type ReservationStatus = "reserved" | "released" | "fulfilled";

export interface Reservation {
  orderId: string;
  status: ReservationStatus;
  lines: { sku: string; quantity: number }[];
  createdAt: string;
  releasedAt?: string;
}

export interface Shortage {
  sku: string;
  /** The product's name (its sku when the product does not exist), for messages a customer understands. */
  name: string;
  requested: number;
  available: number;
}

/** The one page shape of every list (the kit's). */
import type { Page } from "@meridian/kit";
export type { Page };

import { SKU_PATTERN } from "@meridian/kit/contracts";
export { SKU_PATTERN };
