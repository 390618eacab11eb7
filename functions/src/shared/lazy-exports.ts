/**
 * Exports that load on first access. A deployed instance serves one function and reaches it by
 * walking `FUNCTION_TARGET` (e.g. `orders.accept`) through the exports, so with lazy exports
 * it loads that function's module and nothing else. Deploy-time discovery enumerates every
 * export and so still sees them all.
 */
export function exportLazily(target: object, loaders: Record<string, () => unknown>): void {
  for (const [name, load] of Object.entries(loaders)) {
    let loaded: unknown;
    let done = false;
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: false,
      get() {
        if (!done) {
          loaded = load();
          done = true;
        }
        return loaded;
      },
    });
  }
}
