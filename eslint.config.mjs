import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeGlobals = {
  process: "readonly",
  console: "readonly",
  require: "readonly",
  module: "writable",
  exports: "writable",
  Buffer: "readonly",
  URL: "readonly",
  __dirname: "readonly",
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "functions/lib/**", ".cache/**", "emulator-data/**", "packages/*/dist/**", "packages/client/src/contract/**", "packages/client/src/graphql.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
    },
  },
  {
    // Lazy loading is done with require() in these files only: it keeps cold starts short.
    files: [
      "functions/src/index.ts",
      "functions/src/*/index.ts",
      "functions/src/shared/firebase.ts",
      "functions/src/shared/pubsub.ts",
      "functions/src/shared/tracing.ts",
      "functions/src/shared/provider-policies.ts",
      "functions/src/payments/stripe.gateway.ts",
      "functions/src/notifications/twilio.adapter.ts",
      "functions/src/notifications/twilio-status.service.ts",
      "functions/src/notifications/fcm.adapter.ts",
      "functions/src/notifications/smtp.adapter.ts",
      "functions/src/billing/pdf.ts",
      "functions/test/support/module-footprint.ts",
    ],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The client contract ships to the mobile app: zod and its own files only.
    files: ["functions/src/contract/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^(?!zod$)(?!\\./).*", message: "The client contract may import only zod and its own files." },
            // The client package compiles these files to ESM, where a relative import names its file.
            { regex: "^\\./(?!.*\\.js$)", message: "Import the contract's own files with their .js extension." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
