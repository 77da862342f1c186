/// Starts the process of a job attempt: the run driver's one way into the operating system.
///
/// `JobExecutor` is the real one; tests give the driver a launcher that records what it was asked
/// to start and ends each attempt as the test says, so the driver's rules are tested in
/// milliseconds without spawning anything.
public protocol JobLaunching: Sendable {
    /// Starts `job`; `output` receives masked chunks of its output in order.
    func launch(_ job: ExecutableJob, output: @escaping @Sendable ([UInt8]) -> Void) throws(SpawnError)
        -> any LaunchedJob
}

/// A started job attempt.
public protocol LaunchedJob: Sendable {
    /// The attempt's process group, recorded so a later `resume` can stop what a crash left behind.
    var processGroup: Int32 { get }
    /// Waits until the attempt is over; its exit status (128 + signal when it was killed).
    func wait() async -> Int32
    /// Asks the attempt to stop, and forces it after `grace`.
    func terminate(grace: Duration) async
}

extension RunningJob: LaunchedJob {}

extension JobExecutor: JobLaunching {
    public func launch(_ job: ExecutableJob, output: @escaping @Sendable ([UInt8]) -> Void) throws(SpawnError)
        -> any LaunchedJob
    {
        try start(job, output: output)
    }
}
