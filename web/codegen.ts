import type { CodegenConfig } from "@graphql-codegen/cli";

// Types come from the checked-in SDL, so a schema change breaks `npm run build`, not the wall.
const config: CodegenConfig = {
  schema: "../graphql/schema.graphql",
  documents: ["src/**/*.ts", "src/**/*.vue", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents as plain strings: graphql-ws and fetch send them as they are, so the
        // page ships no GraphQL parser or printer.
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: "string", ID: "string" },
      },
    },
  },
  silent: true,
};

export default config;
