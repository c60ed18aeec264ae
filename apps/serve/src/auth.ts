/** Environment variable spert-serve reads the API key from when `--api-key` is not given. */
export const API_KEY_ENV = 'SPERT_API_KEY';
