/**
 * The demo catalogue: a small coffee-gear shop. `bun run seed` loads it (see ./index.ts); each product's picture is
 * drawn by ./illustrations and committed in web/projects/customer/public/products/<slug>.svg.
 */
import type { Kind } from "./illustrations/kinds";

export interface DemoProduct {
  sku: string;
  /** File name of the picture (without .svg), also the picture's look: `kind` + `accent`. */
  slug: string;
  name: string;
  description: string;
  price: number;
  category: string;
  brand: string;
  /** Stock a new product starts with (existing products keep theirs). */
  stock: number;
  lowStockThreshold: number;
  kind: Kind;
  /** Main colour of the illustration. */
  accent: string;
}

type Row = [sku: string, slug: string, name: string, price: number, brand: string, stock: number, kind: Kind, accent: string, description: string];

const LOW_STOCK_THRESHOLD = 5;

function category(name: string, rows: Row[]): DemoProduct[] {
  return rows.map(([sku, slug, productName, price, brand, stock, kind, accent, description]) => ({
    sku, slug, name: productName, description, price, category: name, brand, stock, lowStockThreshold: LOW_STOCK_THRESHOLD, kind, accent,
  }));
}

export const DEMO_CATALOGUE: readonly DemoProduct[] = Object.freeze([
  ...category("Grinders", [
    ["GRD-HAND-01", "hand-burr-grinder", "Hand burr grinder", 89, "Aurel", 3, "hand-grinder", "#b45309",
      "Conical steel burrs in an aluminium body: 40 clicks from espresso to French press, quiet enough for an early morning."],
    ["GRD-HAND-02", "travel-hand-grinder", "Travel hand grinder", 59, "Fjordline", 24, "hand-grinder", "#0f766e",
      "A slim grinder that fits inside a press for trips; ceramic burrs that never rust."],
    ["GRD-ELEC-01", "flat-burr-grinder", "Flat burr grinder", 349, "Kobalt", 8, "electric-grinder", "#1d4ed8",
      "64 mm flat burrs, single-dose hopper and low retention for a clear, even cup."],
    ["GRD-ELEC-02", "home-conical-grinder", "Home conical grinder", 149, "Nordhaus", 15, "electric-grinder", "#be123c",
      "Forty grind settings and a timer: fresh grounds for every brewer in the house."],
  ]),
  ...category("Brewers", [
    ["BRW-DRIP-01", "ceramic-cone-dripper", "Ceramic cone dripper", 24.5, "Stoneware Studio", 40, "dripper", "#e11d48",
      "A hand-glazed cone with spiral ribs for an even flow; fits most mugs and servers."],
    ["BRW-PRESS-01", "french-press", "French press, 1 l", 39, "Nordhaus", 30, "french-press", "#334155",
      "Borosilicate glass, a stainless double mesh filter and a frame that stays cool to the touch."],
    ["BRW-MOKA-01", "moka-pot", "Stovetop moka pot", 34, "Aurel", 18, "moka-pot", "#64748b",
      "The classic six-cup pot: rich, strong coffee on gas, electric or induction with its steel base."],
    ["BRW-PLUNGE-01", "travel-press", "Travel plunger brewer", 32, "Fjordline", 0, "plunger", "#0f766e",
      "Brews a clean cup in two minutes by air pressure; light, unbreakable, and made for the road."],
    ["BRW-CARAFE-01", "glass-pour-over-carafe", "Glass pour-over carafe", 49, "Stoneware Studio", 12, "carafe", "#a16207",
      "One piece of glass with a wooden collar: brew and serve six cups in the same vessel."],
    ["BRW-COLD-01", "cold-brew-jar", "Cold brew jar", 29, "Kobalt", 22, "cold-brew", "#7c3aed",
      "Steep overnight in the fridge; the fine filter lifts out and leaves a smooth concentrate."],
  ]),
  ...category("Espresso", [
    ["ESP-MACH-01", "home-espresso-machine", "Home espresso machine", 499, "Kobalt", 4, "espresso-machine", "#b91c1c",
      "A 58 mm group, PID temperature control and a steam wand that textures milk for latte art."],
    ["ESP-TAMP-01", "calibrated-tamper", "Calibrated tamper", 45, "Aurel", 35, "tamper", "#78350f",
      "A walnut handle on a flat steel base that clicks at 15 kg for an even puck every time."],
    ["ESP-PITCH-01", "milk-pitcher", "Milk pitcher, 600 ml", 22, "Nordhaus", 28, "milk-pitcher", "#475569",
      "A sharp spout for pouring hearts and rosettas; markings inside for the right amount of milk."],
    ["ESP-SCALE-01", "brew-scale", "Brew scale with timer", 65, "Fjordline", 16, "scale", "#0f172a",
      "Weighs to 0.1 g and times the shot; a silicone mat keeps it safe from drips."],
  ]),
  ...category("Kettles", [
    ["KTL-GOOSE-01", "gooseneck-kettle", "Gooseneck kettle", 59.9, "Aurel", 20, "gooseneck-kettle", "#15803d",
      "A slender spout for a slow, precise pour over the bed of coffee; works on any hob."],
    ["KTL-ELEC-01", "electric-pour-over-kettle", "Electric pour-over kettle", 119, "Kobalt", 9, "electric-kettle", "#1e293b",
      "Sets the water to the degree and holds it for an hour; a gooseneck spout for pour-over."],
    ["KTL-STOVE-01", "enamel-stovetop-kettle", "Enamel stovetop kettle", 44, "Stoneware Studio", 14, "stovetop-kettle", "#0369a1",
      "Two litres of enamelled steel with a whistle, for tea, filter coffee and everything in between."],
  ]),
  ...category("Beans", [
    ["BEAN-ETH-01", "ethiopia-yirgacheffe", "Ethiopia Yirgacheffe, 250 g", 14.5, "Ember Roasters", 60, "bean-bag", "#ca8a04",
      "Washed heirloom varieties: jasmine, bergamot and lemon. A light roast for filter."],
    ["BEAN-COL-01", "colombia-huila", "Colombia Huila, 250 g", 12.9, "Ember Roasters", 55, "bean-bag", "#dc2626",
      "Red apple, panela and milk chocolate; balanced as filter or espresso."],
    ["BEAN-BRA-01", "brazil-cerrado", "Brazil Cerrado, 1 kg", 32, "Harbour Coffee", 25, "bean-bag", "#92400e",
      "Nutty and chocolatey with a low acidity: the everyday espresso base."],
    ["BEAN-KEN-01", "kenya-nyeri", "Kenya Nyeri, 250 g", 16.5, "Harbour Coffee", 2, "bean-bag", "#9d174d",
      "Blackcurrant, tomato and grapefruit: a bright, juicy cup from a small washing station."],
    ["BEAN-ESP-01", "house-espresso-blend", "House espresso blend, 1 kg", 29.5, "Ember Roasters", 45, "bean-bag", "#44403c",
      "Dark chocolate and caramel; built for milk drinks and a thick crema."],
    ["BEAN-DEC-01", "swiss-water-decaf", "Swiss water decaf, 250 g", 13.5, "Harbour Coffee", 30, "bean-bag", "#2563eb",
      "Decaffeinated with water only; cocoa and toasted almond, for the evening cup."],
  ]),
  ...category("Cups", [
    ["CUP-ESP-01", "espresso-cup-set", "Espresso cup and saucer", 18, "Stoneware Studio", 48, "cup-saucer", "#f97316",
      "Thick porcelain that keeps a double shot hot; 80 ml, sold as a cup and saucer."],
    ["CUP-MUG-01", "stoneware-mug", "Stoneware mug, 350 ml", 21, "Stoneware Studio", 36, "mug", "#0d9488",
      "Wheel-thrown and reactive-glazed, so no two are quite alike; dishwasher safe."],
    ["CUP-GLASS-01", "double-wall-glass", "Double-wall glass, set of 2", 26, "Nordhaus", 20, "glass", "#6366f1",
      "The coffee seems to float; the double wall keeps it warm and your fingers cool."],
    ["CUP-TRAVEL-01", "insulated-travel-mug", "Insulated travel mug", 34, "Fjordline", 27, "travel-mug", "#ea580c",
      "Vacuum-insulated steel with a leak-proof lid: hot for six hours on the commute."],
    ["CUP-CAP-01", "cappuccino-cup", "Cappuccino cup, 180 ml", 19, "Stoneware Studio", 5, "cup-saucer", "#0891b2",
      "A wide bowl that shows off latte art, with a matching saucer."],
  ]),
]);
