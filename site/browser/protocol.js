// The messages between the page and the Python worker: their names, imported
// by both sides (connection.js on the page, worker.js in the worker), so a
// renamed message is one edit and a misspelt one fails to import.
//
// Every message is a plain object (structured clone), never a proxy.
//
// Page → worker (the worker starts Python as soon as it runs, fetching its
// own files; a message sent meanwhile waits for it):
//   {op: CONNECT} with a MessagePort     from boot.js, to a dedicated worker: every other message goes
//                                        through that port (a shared worker gets each tab's port from
//                                        its connect event instead)
//   {op: TAB, lock}                      from boot.js, to a shared worker: the Web Lock this tab holds
//                                        while it lives; once granted to the worker, the tab is gone
//   (boot.js, a classic script, spells these two "connect" and "tab")
//   {op: VIEW, gen, key, seq, calculator, values, chart, changed}
//   {op: LINK, gen, search, forms: [{key, calculator, values}]}
//   {op: WARM}                                            the page is live: load what a keystroke needs
//   {op: JOB, kind, id, ...fields}                        a long job (JOB_KINDS), answered by PROGRESS…, DONE
//   {op: CANCEL, id}                                      stop that job between two of its steps
//   {op: STATE}                                           what the worker serves (for tests and make bench)
// Worker → page:
//   {op: READY, start, reason, interpreter, timings, lock}
//                                              start: "snapshot" | "cold" (reason: why not the snapshot);
//                                              interpreter: an id the worker hands out when it starts;
//                                              lock: a Web Lock the worker holds while it lives (or null)
//   {op: FAILED, message, stopped}              Python could not start (or, stopped: it stopped)
//   {op: VIEW, gen, key, seq, view} | {op: CHART, gen, key, seq, chart}
//   {op: LINK, gen, answer} | {op: ERROR, gen, key, message}
//   {op: PROGRESS, id, ...progress} | {op: DONE, id, seconds, ...(view | error | cancelled)}
//   {op: STATE, interpreter, tabs, jobs: {tab, all, dropped}}  tabs connected; jobs running (this tab's,
//                                              all) and stopped because their tab went away
//
// `gen` is the page generation (one per page shown; instant navigation starts
// a new one) and `seq` a form's request number: the page drops an answer for a
// page no longer shown, and never lets an older answer overwrite a newer one.
export const OP = Object.freeze({
  CONNECT: "connect",
  TAB: "tab",
  STATE: "state",
  VIEW: "view",
  LINK: "link",
  WARM: "warm",
  JOB: "job",
  CANCEL: "job-cancel",
  READY: "ready",
  FAILED: "failed",
  CHART: "chart",
  ERROR: "error",
  PROGRESS: "job-progress",
  DONE: "job-done",
});

// The long jobs the worker runs (OP.JOB's `kind`), each reading the reader's
// own file in slices with progress, and each cancellable.
//   ANALYZE: {name, options: {format, …the panel's other named controls}, file | text}
//            → DONE with {view, parts} | {error} | {cancelled}   (parts: 2 if a helper read half of it, else 1)
//   COMPARE: {baseline: {name, options, file}, candidate: {name, options, file}}
//            → PROGRESS with {stage: "baseline" | "candidate", done, total, progress} while reading,
//              {stage: "compare", fraction} while resampling; DONE with {view} | {error} | {cancelled}
export const JOB_KINDS = Object.freeze({
  ANALYZE: "analyze",
  COMPARE: "compare",
});

// A large file's second reader (helper.js): a dedicated worker the page starts
// for an ANALYZE job of a file of at least HELPER_MIN_BYTES (a shared worker
// cannot start workers of its own), with its own interpreter on the other
// core. The page sends the job's worker one end of a channel (the JOB's
// `helper` field) and the helper the other ({op: SERVE} with the port); the
// two then talk directly, and the page ends the helper once the job is done.
//   helper → worker: {op: READY} | {op: FAILED, message}   Python started, or could not
//   worker → helper: {op: PART, file, start, end, handover} read the file's bytes from `start` to `end` (line
//                                                           boundaries) as `handover` (bytes) says; segments
//                                                           come from the end backwards, read in turn
//                    {op: STOP}                             the job stopped: read no further
//   helper → worker: {op: PROGRESS, done, lines}             bytes and lines of the segment read so far
//                    {op: PART, start, part}                the segment as read (bytes), for analyze_absorb
export const HELPER = Object.freeze({
  SERVE: "helper-serve",
  READY: "helper-ready",
  FAILED: "helper-failed",
  PART: "helper-part",
  STOP: "helper-stop",
  PROGRESS: "helper-progress",
});

// Below this size one interpreter reads a file sooner than a second can start (about a second) and share it.
export const HELPER_MIN_BYTES = 32 << 20;
