/** Kettles, bags of beans and cups, drawn on a 480 × 480 canvas standing on y = 400. */
import { bean, COFFEE, CREMA, GLASS, shade, steam, tint, tube, WHITE, WOOD } from "./palette";

export const vessels = {
  "gooseneck-kettle": (a: string) =>
    `${tube("M178 330 C120 320 112 240 88 186", a, 12)}${tube("M312 230 C382 232 380 340 318 352", shade(a, 0.3), 14)}` +
    `<path d="M165 390 Q150 240 205 200 H275 Q330 240 315 390 Z" fill="${a}"/><path d="M205 200 Q240 165 275 200 Z" fill="${shade(a, 0.25)}"/>` +
    `<circle cx="240" cy="172" r="10" fill="${WOOD}"/><rect x="160" y="376" width="160" height="24" rx="8" fill="${shade(a, 0.3)}"/>`,
  "electric-kettle": (a: string) =>
    `${tube("M192 300 C140 290 130 220 112 178", a, 12)}${tube("M302 196 H334 Q352 196 352 214 V326 Q352 344 334 344 H306", a, 14)}` +
    `<rect x="150" y="370" width="180" height="30" rx="10" fill="#334155"/><path d="M170 370 L185 160 L295 160 L310 370 Z" fill="${a}"/>` +
    `<rect x="205" y="210" width="22" height="130" rx="8" fill="${GLASS}"/><rect x="180" y="140" width="120" height="24" rx="10" fill="${shade(a, 0.3)}"/>`,
  "stovetop-kettle": (a: string) =>
    `${tube("M176 232 Q240 96 304 232", WOOD, 14)}<path d="M162 320 L100 250 L122 238 L184 292 Z" fill="${a}"/>` +
    `<path d="M140 392 Q140 232 240 212 Q340 232 340 392 Z" fill="${a}"/><ellipse cx="240" cy="214" rx="52" ry="14" fill="${tint(a, 0.35)}"/>` +
    `<circle cx="240" cy="198" r="12" fill="${shade(a, 0.4)}"/><path d="M150 350 H330" fill="none" stroke="${tint(a, 0.5)}" stroke-width="8"/>`,
  "bean-bag": (a: string) =>
    `<path d="M165 130 L315 130 L330 400 L150 400 Z" fill="${a}"/><rect x="160" y="108" width="160" height="32" rx="6" fill="${shade(a, 0.25)}"/>` +
    `<circle cx="292" cy="172" r="8" fill="${tint(a, 0.4)}"/><rect x="180" y="210" width="120" height="140" rx="10" fill="${WHITE}"/>` +
    `<rect x="200" y="224" width="80" height="8" fill="${a}" stroke="none"/><rect x="200" y="328" width="80" height="8" fill="${a}" stroke="none"/>` +
    `${bean(240, 280, 26, 36)}${bean(120, 390, 12, 17, 30)}${bean(360, 392, 12, 17, -60)}`,
  "cup-saucer": (a: string) =>
    `${steam(218, 214, tint(a, 0.3))}<ellipse cx="240" cy="380" rx="130" ry="24" fill="${WHITE}"/>` +
    `${tube("M316 272 q50 -2 42 40 q-8 30 -46 26", a, 12)}<path d="M160 250 H320 Q318 370 240 372 Q162 370 160 250 Z" fill="${a}"/>` +
    `<ellipse cx="240" cy="250" rx="80" ry="16" fill="${COFFEE}"/><ellipse cx="240" cy="251" rx="54" ry="9" fill="${CREMA}" stroke="none"/>`,
  mug: (a: string) =>
    `${steam(214, 170, tint(a, 0.3))}${tube("M310 236 h20 q40 0 40 40 v30 q0 40 -40 40 h-20", a, 14)}` +
    `<rect x="160" y="190" width="150" height="210" rx="20" fill="${a}"/>` +
    `<path d="M163 226 h144 v22 q-18 16 -36 0 q-18 16 -36 0 q-18 16 -36 0 q-18 16 -36 0 z" fill="${tint(a, 0.45)}" stroke="none"/>` +
    `<ellipse cx="235" cy="196" rx="68" ry="12" fill="${COFFEE}"/>`,
  glass: (a: string) =>
    `<rect x="150" y="390" width="180" height="14" rx="7" fill="${a}"/><path d="M170 150 H310 L296 390 Q294 400 284 400 H196 Q186 400 184 390 Z" fill="${GLASS}"/>` +
    `<path d="M187 240 H293 L286 368 Q284 376 276 376 H204 Q196 376 194 368 Z" fill="${COFFEE}" stroke="none"/>` +
    `<path d="M186 214 H294 L293 240 H187 Z" fill="#e7d3b5" stroke="none"/><path d="M184 170 L196 380" fill="none" stroke="${WHITE}" stroke-width="8" opacity=".8"/>`,
  "travel-mug": (a: string) =>
    `<path d="M185 150 H295 L285 400 H195 Z" fill="${a}"/><rect x="178" y="110" width="124" height="44" rx="12" fill="#1f2937"/>` +
    `<rect x="200" y="120" width="40" height="8" rx="4" fill="#6b7280" stroke="none"/><path d="M190 240 H290 L286 320 H194 Z" fill="${shade(a, 0.3)}"/>` +
    `<path d="M205 170 L200 380" fill="none" stroke="${WHITE}" stroke-width="8" opacity=".5"/>`,
};
