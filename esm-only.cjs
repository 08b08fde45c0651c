// featurelab is an ES module package: this file is what `require('featurelab')` resolves to
// (the "require" condition of package.json#exports), so CommonJS code gets a clear message
// instead of ERR_REQUIRE_ESM or a half-working load.
'use strict';

throw new Error(
  'featurelab is ESM-only and cannot be loaded with require(). From CommonJS, use a dynamic import:\n' +
    "  const { createEngine } = await import('featurelab');\n" +
    '(or write your code as an ES module: "type": "module" in package.json, or a .mjs file).',
);
