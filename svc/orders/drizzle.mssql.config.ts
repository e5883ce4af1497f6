import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "mssql",
  schema: "./src/store/mssql/schema.ts",
  out: "./drizzle/mssql",
});
