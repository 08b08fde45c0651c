// The error hierarchy lives in src/core/errors.ts; this path stays for existing imports.
export * from './core/errors.js';
