import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests spawn the built CLI and mke2fs; a generous timeout keeps a loaded
    // CI machine from turning slowness into failures. Speed is measured in bench/.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
