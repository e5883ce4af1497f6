/**
 * Product pictures as SVG: a tinted rounded tile, a soft halo and shadow, and the product drawn in flat colours
 * with one ink outline. Deterministic: the same product always gives the same bytes (a test compares the
 * committed files with a fresh drawing).
 */
import { drawings, type Kind } from "./kinds";
import { INK, tint } from "./palette";

export type { Kind } from "./kinds";

export const SIZE = 480;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The SVG document of a product picture. */
export function drawProduct(product: { name: string; kind: Kind; accent: string }): string {
  const { name, kind, accent } = product;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}" role="img" aria-label="${escapeXml(name)}">`,
    `<title>${escapeXml(name)}</title>`,
    `<rect width="${SIZE}" height="${SIZE}" rx="40" fill="${tint(accent, 0.88)}"/>`,
    `<circle cx="240" cy="236" r="172" fill="${tint(accent, 0.76)}"/>`,
    `<ellipse cx="240" cy="404" rx="160" ry="16" fill="${INK}" opacity=".12"/>`,
    `<g stroke="${INK}" stroke-width="6" stroke-linejoin="round" stroke-linecap="round">${drawings[kind](accent)}</g>`,
    `</svg>`,
    "",
  ].join("\n");
}
