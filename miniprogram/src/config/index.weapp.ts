/** The weapp build's settings are fixed at build time (ZHIYUE_API_BASE, see config/index.ts of the project). */
export const runtimeConfig = {
  apiBase: ZHIYUE_API_BASE,
};
