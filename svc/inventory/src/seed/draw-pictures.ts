/**
 * Draws every demo product's picture into web/projects/customer/public/products/ (the shop serves them at
 * /products/<slug>.svg). Run `bun svc/inventory/src/seed/draw-pictures.ts` after changing the catalogue or a drawing.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { appFile } from "@meridian/kit/app-files";
import { DEMO_CATALOGUE } from "./catalogue";
import { drawProduct } from "./illustrations";

export const PICTURES_DIR = appFile("web/projects/customer/public/products", import.meta.dir);

/** Every picture file name and its contents. */
export function demoPictures(): Map<string, string> {
  return new Map(DEMO_CATALOGUE.map((p) => [`${p.slug}.svg`, drawProduct(p)]));
}

if (import.meta.main) {
  await mkdir(PICTURES_DIR, { recursive: true });
  const pictures = demoPictures();
  for (const stale of (await readdir(PICTURES_DIR)).filter((f) => f.endsWith(".svg") && !pictures.has(f)))
    await rm(join(PICTURES_DIR, stale));
  for (const [file, svg] of pictures) await Bun.write(join(PICTURES_DIR, file), svg);
  console.log(`drew ${pictures.size} pictures in ${PICTURES_DIR}`);
}
