// The worker thread that trains (spert-label-studio without --queue): one job at a time, off the
// thread that answers Label Studio.
import { runTrainJob, type TrainJob, type TrainJobResult } from './train-job';

/** Runs one training job on this thread. */
export default async function train(job: TrainJob): Promise<TrainJobResult> {
  return runTrainJob(job);
}
