// esbuild plugins for `email dev`, passed by scripts/email-dev.ts with --esbuild-plugins.
//
// The preview server bundles each email and runs the bundle as a node:vm module whose imports resolve to Node's
// built-in modules only: a dynamic import() inside fails ("A dynamic import callback was not specified"), and so does
// any other external import. MJML loads htmlnano's modules with import(), so the newsletter preview could not compile
// with MJML bundled. Instead its import becomes Node's own require (node:module is a built-in the vm links), which
// loads MJML from node_modules outside the vm, as `paperboy run` does.
import type { Plugin } from 'esbuild';

const mjmlFromNode: Plugin = {
  name: 'paperboy-mjml-from-node',
  setup(build) {
    build.onResolve({ filter: /^mjml$/ }, (args) => ({
      path: 'mjml',
      namespace: 'mjml-from-node',
      pluginData: { resolveDir: args.resolveDir },
    }));
    build.onLoad({ filter: /.*/, namespace: 'mjml-from-node' }, (args) => ({
      contents: `import { createRequire } from 'node:module';
        export default createRequire(${JSON.stringify(`${args.pluginData.resolveDir}/`)})('mjml');`,
      loader: 'js',
    }));
  },
};

export default [mjmlFromNode];
