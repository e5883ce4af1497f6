/** Grinders, brewers and espresso gear, drawn on a 480 × 480 canvas standing on y = 400. */
import { bean, COFFEE, CREMA, GLASS, METAL, shade, STEEL, tint, tube, WHITE, WOOD } from "./palette";

export const gear = {
  "hand-grinder": (a: string) =>
    `<rect x="185" y="190" width="110" height="210" rx="18" fill="${a}"/><rect x="185" y="300" width="110" height="22" fill="${shade(a, 0.25)}"/>` +
    `<rect x="175" y="165" width="130" height="30" rx="10" fill="${STEEL}"/><line x1="240" y1="165" x2="240" y2="120"/>` +
    `<rect x="232" y="110" width="112" height="14" rx="7" fill="${STEEL}"/><circle cx="240" cy="117" r="10" fill="${METAL}"/>` +
    `<rect x="328" y="74" width="28" height="40" rx="12" fill="${WOOD}"/>`,
  "electric-grinder": (a: string) =>
    `<path d="M190 80 L290 80 L272 160 L208 160 Z" fill="${GLASS}"/>${bean(225, 135, 9, 13)}${bean(252, 140, 9, 13, 30)}${bean(240, 115, 9, 13, 70)}` +
    `<rect x="184" y="66" width="112" height="18" rx="8" fill="${shade(a, 0.3)}"/><rect x="160" y="160" width="160" height="240" rx="22" fill="${a}"/>` +
    `<rect x="195" y="260" width="90" height="110" rx="12" fill="${shade(a, 0.35)}"/><rect x="212" y="310" width="56" height="60" rx="8" fill="${WHITE}"/>` +
    `<circle cx="240" cy="210" r="20" fill="${WHITE}"/><line x1="240" y1="210" x2="240" y2="196"/>`,
  dripper: (a: string) =>
    `<path d="M175 300 h130 v70 q0 30 -30 30 h-70 q-30 0 -30 -30 z" fill="${GLASS}"/>` +
    `<path d="M181 345 h118 v25 q0 24 -24 24 h-70 q-24 0 -24 -24 z" fill="${COFFEE}" stroke="none"/>` +
    `<rect x="185" y="282" width="110" height="20" rx="6" fill="${shade(a, 0.2)}"/><path d="M150 170 L330 170 L285 282 L195 282 Z" fill="${a}"/>` +
    `<rect x="142" y="158" width="196" height="18" rx="8" fill="${tint(a, 0.25)}"/>` +
    `<g stroke="${shade(a, 0.3)}" stroke-width="4"><line x1="205" y1="192" x2="220" y2="268"/><line x1="240" y1="192" x2="240" y2="268"/><line x1="275" y1="192" x2="260" y2="268"/></g>`,
  "french-press": (a: string) =>
    `<path d="M300 180 h30 q40 0 40 40 v100 q0 40 -40 40 h-30 v-26 h26 q18 0 18 -18 v-92 q0 -18 -18 -18 h-26 z" fill="${a}"/>` +
    `<rect x="170" y="160" width="130" height="220" rx="10" fill="${GLASS}"/><rect x="176" y="240" width="118" height="134" rx="6" fill="${COFFEE}" stroke="none"/>` +
    `<rect x="176" y="236" width="118" height="8" fill="${STEEL}"/><rect x="160" y="370" width="150" height="30" rx="8" fill="${a}"/>` +
    `<rect x="160" y="135" width="150" height="30" rx="10" fill="${a}"/><line x1="235" y1="135" x2="235" y2="236"/><line x1="235" y1="135" x2="235" y2="90"/>` +
    `<circle cx="235" cy="80" r="16" fill="${a}"/>`,
  "moka-pot": (a: string) =>
    `<path d="M300 170 h40 q20 0 20 20 v60 q0 14 -14 14 h-36 z" fill="${a}"/><path d="M175 280 L305 280 L325 400 L155 400 Z" fill="${STEEL}"/>` +
    `<rect x="170" y="262" width="140" height="22" rx="4" fill="${shade(STEEL, 0.2)}"/><path d="M185 150 L295 150 L310 262 L170 262 Z" fill="${METAL}"/>` +
    `<path d="M185 160 L145 138 L160 178 Z" fill="${METAL}"/><path d="M180 152 Q240 110 300 152 Z" fill="${METAL}"/><circle cx="240" cy="122" r="10" fill="${a}"/>` +
    `<g stroke="${shade(STEEL, 0.3)}" stroke-width="4"><line x1="240" y1="160" x2="240" y2="256"/><line x1="240" y1="290" x2="240" y2="394"/></g>`,
  plunger: (a: string) =>
    `${tube("M310 320 q44 0 44 30 q0 30 -44 30", WHITE, 12)}<rect x="170" y="300" width="140" height="100" rx="14" fill="${WHITE}"/>` +
    `<rect x="190" y="284" width="100" height="20" rx="6" fill="${shade(a, 0.3)}"/><rect x="198" y="150" width="84" height="138" rx="6" fill="${tint(a, 0.6)}"/>` +
    `<rect x="203" y="222" width="74" height="62" fill="${COFFEE}" stroke="none"/><rect x="180" y="150" width="120" height="14" rx="6" fill="${shade(a, 0.3)}"/>` +
    `<rect x="206" y="92" width="68" height="90" rx="6" fill="${a}"/><rect x="190" y="78" width="100" height="18" rx="8" fill="${shade(a, 0.3)}"/>`,
  carafe: (a: string) =>
    `<path d="M185 90 L295 90 L250 240 L300 380 Q300 400 280 400 L200 400 Q180 400 180 380 L230 240 Z" fill="${GLASS}"/>` +
    `<path d="M207 320 L273 320 L292 380 Q291 392 279 392 L201 392 Q189 392 188 380 Z" fill="${COFFEE}" stroke="none"/>` +
    `<path d="M212 200 L268 200 L256 268 L224 268 Z" fill="${a}"/><circle cx="240" cy="276" r="8" fill="${shade(a, 0.3)}"/>`,
  "cold-brew": (a: string) =>
    `<rect x="165" y="130" width="150" height="270" rx="26" fill="${GLASS}"/><rect x="171" y="210" width="138" height="184" rx="20" fill="${COFFEE}" stroke="none"/>` +
    `<rect x="215" y="120" width="50" height="230" rx="14" fill="${tint(a, 0.6)}" opacity=".9"/><rect x="158" y="100" width="164" height="36" rx="12" fill="${a}"/>`,
  "espresso-machine": (a: string) =>
    `<rect x="120" y="100" width="240" height="24" rx="8" fill="${STEEL}"/><rect x="110" y="120" width="260" height="250" rx="22" fill="${a}"/>` +
    `<rect x="150" y="230" width="180" height="130" fill="${shade(a, 0.4)}"/><rect x="120" y="360" width="240" height="40" rx="8" fill="${STEEL}"/>` +
    `<rect x="200" y="215" width="80" height="30" rx="6" fill="${STEEL}"/><rect x="280" y="222" width="90" height="16" rx="8" fill="#1f2937"/>` +
    `<path d="M215 310 h50 v30 q0 18 -18 18 h-14 q-18 0 -18 -18 z" fill="${WHITE}"/><ellipse cx="240" cy="311" rx="25" ry="5" fill="${CREMA}"/>` +
    `<circle cx="180" cy="172" r="26" fill="${WHITE}"/><line x1="180" y1="172" x2="194" y2="160"/><circle cx="300" cy="172" r="14" fill="${tint(a, 0.5)}"/>`,
  tamper: (a: string) =>
    `<rect x="165" y="330" width="150" height="60" rx="10" fill="${STEEL}"/><rect x="220" y="280" width="40" height="52" fill="${METAL}"/>` +
    `<path d="M240 110 C305 110 310 200 272 240 Q262 258 262 282 L218 282 Q218 258 208 240 C170 200 175 110 240 110 Z" fill="${a}"/>` +
    `<path d="M222 140 q-14 30 -4 70" fill="none" stroke="${tint(a, 0.5)}" stroke-width="8"/>`,
  "milk-pitcher": (a: string) =>
    `<path d="M168 190 h-20 q-40 0 -40 40 v70 q0 40 40 40 h24 v-24 h-20 q-18 0 -18 -18 v-66 q0 -18 18 -18 h16 z" fill="${a}"/>` +
    `<path d="M175 140 L315 140 L352 116 L332 172 Q345 300 330 400 L160 400 Q145 300 175 170 Z" fill="${METAL}"/>` +
    `<path d="M205 180 q-8 100 0 200" fill="none" stroke="${WHITE}" stroke-width="10" opacity=".8"/><rect x="168" y="290" width="160" height="18" fill="${a}"/>`,
  scale: (a: string) =>
    `<path d="M190 190 h100 v80 q0 20 -20 20 h-60 q-20 0 -20 -20 z" fill="${GLASS}"/><path d="M196 240 h88 v28 q0 16 -16 16 h-56 q-16 0 -16 -16 z" fill="${COFFEE}" stroke="none"/>` +
    `<rect x="100" y="300" width="280" height="70" rx="16" fill="${a}"/><rect x="112" y="286" width="256" height="20" rx="8" fill="${tint(a, 0.35)}"/>` +
    `<rect x="150" y="322" width="110" height="34" rx="6" fill="#a7f3d0"/><circle cx="300" cy="339" r="10" fill="${WHITE}"/><circle cx="334" cy="339" r="10" fill="${WHITE}"/>`,
};
