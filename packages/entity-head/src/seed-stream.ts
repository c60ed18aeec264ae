// Dropout seeds come from the project's one seeded generator, so a run is reproducible from one number.
export { seedStream } from '@spert/core';
