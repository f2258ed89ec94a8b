/**
 * The signal one logical call (its attempts and the reading of its answer) is sent with: it aborts at
 * the call's deadline or with either of the caller's signals (the operation's; for a read also the
 * request's refused credentials), whichever comes first, and is ended (its timer cleared, its
 * listeners removed) once the answer has been read or the call has failed. Made once per call, so it
 * is kept cheap: one controller, one cleared timer, a listener per caller signal. (An `AbortSignal.any`
 * of an `AbortSignal.timeout` cost ~31 µs a call, and each unused timeout still fired later and made a
 * DOMException.)
 */
export class CallSignal {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private deadlineReached = false;
  private ended = false;

  constructor(
    deadlineMs: number,
    private readonly caller?: AbortSignal,
    private readonly alsoCaller?: AbortSignal,
  ) {
    this.timer = setTimeout(this.onDeadline, deadlineMs);
    this.timer.unref?.();
    const aborted = caller?.aborted ? caller : alsoCaller?.aborted ? alsoCaller : undefined;
    if (aborted) {
      this.stop(aborted.reason);
      return;
    }
    caller?.addEventListener('abort', this.onCallerAbort);
    alsoCaller?.addEventListener('abort', this.onCallerAbort);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the call's own deadline is what aborted it (a timeout), not a caller. */
  get deadlinePassed(): boolean {
    return this.deadlineReached;
  }

  /** The call is over: the deadline no longer runs and the callers' signals are no longer followed. Idempotent. */
  readonly end = (): void => {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
    this.alsoCaller?.removeEventListener('abort', this.onCallerAbort);
  };

  private stop(reason: unknown): void {
    this.end();
    this.controller.abort(reason);
  }

  private readonly onDeadline = (): void => {
    this.deadlineReached = true;
    this.stop(new DOMException('The upstream call deadline passed.', 'TimeoutError'));
  };

  private readonly onCallerAbort = (event: Event): void => {
    this.stop((event.target as AbortSignal).reason);
  };
}
