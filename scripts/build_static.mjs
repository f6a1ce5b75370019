#!/usr/bin/env node
// Copies the front-end libraries GridGov serves (Leaflet, ECharts, htmx) from node_modules into
// gridgov/static_build/vendor/<lib>/, with their licence files, so Django's staticfiles (and WhiteNoise after
// `collectstatic`) serve them from our own origin. Nothing is fetched from the network: run `npm ci` first,
// which installs exactly what package-lock.json pins.
//
// Idempotent: the vendor folder is rebuilt from scratch on every run, so a removed or renamed file never lingers.
// It also checks that what is in node_modules is the version package-lock.json pins, so a stale node_modules
// (installed before the lock file changed) fails loudly instead of shipping the wrong library.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const outRoot = join(root, "gridgov", "static_build");
const vendor = join(outRoot, "vendor");

// Each library: the npm package, the folder under vendor/, and the files to copy (source in the package →
// target under vendor/<dir>/). A source ending in "/" copies a whole folder (e.g. Leaflet's control images).
const LIBRARIES = [
  {
    pkg: "leaflet",
    dir: "leaflet",
    files: [
      ["dist/leaflet.js", "leaflet.js"],
      // leaflet.js ends with a sourceMappingURL comment; ManifestStaticFilesStorage refuses a missing map.
      ["dist/leaflet.js.map", "leaflet.js.map"],
      ["dist/leaflet.css", "leaflet.css"],
      ["dist/images/", "images/"],
      ["LICENSE", "LICENSE"],
    ],
  },
  {
    pkg: "echarts",
    dir: "echarts",
    files: [
      ["dist/echarts.min.js", "echarts.min.js"],
      ["LICENSE", "LICENSE"],
      ["NOTICE", "NOTICE"],
      ["licenses/", "licenses/"],
    ],
  },
  // echarts.min.js bundles ZRender and tslib's helpers: their licences travel with it.
  { pkg: "zrender", dir: "echarts", files: [["LICENSE", "licenses/LICENSE-zrender"]] },
  { pkg: "tslib", dir: "echarts", files: [["LICENSE.txt", "licenses/LICENSE-tslib"]] },
  {
    pkg: "htmx.org",
    dir: "htmx",
    files: [
      ["dist/htmx.min.js", "htmx.min.js"],
      ["LICENSE", "LICENSE"],
    ],
  },
];

function fail(message) {
  console.error(`build_static: ${message}`);
  process.exit(1);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function lockedVersion(lock, pkg) {
  const entry = lock.packages?.[`node_modules/${pkg}`];
  if (!entry) fail(`${pkg} is not in package-lock.json; add it with \`npm install --save-exact ${pkg}@<version>\`.`);
  return entry.version;
}

function copyTree(source, target, copied) {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) copyTree(from, to, copied);
    else {
      copyFileSync(from, to);
      copied.push(to);
    }
  }
}

function main() {
  const lockPath = join(root, "package-lock.json");
  if (!existsSync(lockPath)) fail("package-lock.json is missing.");
  if (!existsSync(modules)) fail("node_modules is missing; run `npm ci` first.");
  const lock = readJson(lockPath);

  const versions = {};
  for (const lib of LIBRARIES) {
    const pkgDir = join(modules, lib.pkg);
    const manifest = join(pkgDir, "package.json");
    if (!existsSync(manifest)) fail(`node_modules/${lib.pkg} is missing; run \`npm ci\`.`);
    const installed = readJson(manifest).version;
    const locked = lockedVersion(lock, lib.pkg);
    if (installed !== locked) {
      fail(`node_modules/${lib.pkg} is ${installed} but package-lock.json pins ${locked}; run \`npm ci\`.`);
    }
    versions[lib.pkg] = installed;
  }

  rmSync(vendor, { recursive: true, force: true });
  const copied = [];
  for (const lib of LIBRARIES) {
    const pkgDir = join(modules, lib.pkg);
    for (const [from, to] of lib.files) {
      const source = join(pkgDir, from);
      const target = join(vendor, lib.dir, to);
      if (!existsSync(source)) fail(`${lib.pkg}@${versions[lib.pkg]} has no ${from}.`);
      if (from.endsWith("/")) copyTree(source, target, copied);
      else {
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(source, target);
        copied.push(target);
      }
    }
  }
  // What was copied, for people and for checks; sorted keys keep the file byte-identical between runs.
  const sorted = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(vendor, "versions.json"), `${JSON.stringify(sorted, null, 2)}\n`);

  for (const file of copied.sort()) console.log(`  ${relative(root, file)}`);
  console.log(`build_static: ${copied.length} files copied to ${relative(root, vendor)}/ (${Object.entries(sorted)
    .map(([name, version]) => `${name} ${version}`)
    .join(", ")})`);
}

main();
