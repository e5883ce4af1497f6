/** Shared colours and small shapes of the product illustrations: one flat, outlined style for every picture. */
export const INK = "#2b2118";
export const STEEL = "#94a3b8";
export const METAL = "#cbd5e1";
export const WOOD = "#b7793f";
export const GLASS = "#e0f2fe";
export const COFFEE = "#5b3a29";
export const CREMA = "#c08a5a";
export const WHITE = "#fdfcf9";

function mix(hex: string, target: number, amount: number): string {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const mixed = channels.map((c) => Math.round(c + (target - c) * amount));
  return `#${mixed.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** `hex` mixed with white by `amount` (0..1). */
export const tint = (hex: string, amount: number): string => mix(hex, 255, amount);
/** `hex` mixed with black by `amount` (0..1). */
export const shade = (hex: string, amount: number): string => mix(hex, 0, amount);

/** A thick outlined stroke along `d` (handles, spouts): an ink line under a coloured one. */
export function tube(d: string, colour: string, width = 14): string {
  return `<path d="${d}" fill="none" stroke="${INK}" stroke-width="${width + 12}"/><path d="${d}" fill="none" stroke="${colour}" stroke-width="${width}"/>`;
}

/** Two wisps of steam rising from (x, y). */
export function steam(x: number, y: number, colour: string): string {
  return [0, 44]
    .map((dx) => `<path d="M${x + dx} ${y} q-18 -26 0 -52 q18 -26 0 -52" fill="none" stroke="${colour}" stroke-width="8" opacity=".7"/>`)
    .join("");
}

/** A coffee bean centred on (x, y), tilted. */
export function bean(x: number, y: number, rx: number, ry: number, angle = -20): string {
  return (
    `<g transform="rotate(${angle} ${x} ${y})"><ellipse cx="${x}" cy="${y}" rx="${rx}" ry="${ry}" fill="${COFFEE}"/>` +
    `<path d="M${x} ${y - ry * 0.8} q${-rx * 0.45} ${ry * 0.8} 0 ${ry * 1.6}" fill="none" stroke="#d6b08a" stroke-width="4"/></g>`
  );
}
