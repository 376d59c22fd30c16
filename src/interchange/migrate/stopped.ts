/** The step cannot go on until the operator acts: the run stops here, and `run` again resumes here. */
export class StepStopped extends Error {}
