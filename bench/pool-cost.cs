#:project ../src/Poddle.Core/Poddle.Core.csproj
#:property PublishAot=false
// Cost of Poddle's pool scaler against a fixed pool and RunPod's documented default knobs, simulated (discrete events)
// on the recorded arrival trace bench/pool-trace.csv (one day; bench/pool-trace.cs generated it), with the engine's
// real code (Poddle.Core.Pools.Scaling.ScalingEngine) deciding on every arrival, finished job and ready worker, plus
// a 1 s tick and at each decision's RecheckAt, as the server's wiring does.
// Usage (from the repository root): dotnet run bench/pool-cost.cs -- [trace.csv] [cold start seconds]
// Model: a spawned worker is paid from its spawn; it serves jobs after the cold start; an idle worker takes the oldest
// queued job at once (the most recently idle worker first, so the others can reach their idle timeout); a drained
// idle worker stops at once. Queue delay = start on a worker − arrival.
using System.Diagnostics;
using System.Globalization;
using Poddle.Core.Pools.Scaling;

var tracePath = args.Length > 0 ? args[0] : "bench/pool-trace.csv";
var coldStart = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2.0;
var trace = File.ReadLines(tracePath)
    .Where(line => line.Length > 0 && line[0] != '#')
    .Select(line => line.Split(','))
    .Select(f => new Job(double.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture)))
    .ToArray();

const double QueueDelay = 4; // the pool's queueDelay target, seconds: also the p95 target
const int MaxWorkers = 40;
var poddle = new PoolScalingPolicy(0, MaxWorkers, new QueueDelayScaler(TimeSpan.FromSeconds(QueueDelay)),
    IdleTimeout: TimeSpan.FromSeconds(30), ScaleUpWindow: TimeSpan.Zero, ScaleDownWindow: TimeSpan.FromSeconds(60));
// The same engine with RunPod's idle timeout and no windows: what the job-duration forecast alone changes.
var poddleShortIdle = poddle with { IdleTimeout = TimeSpan.FromSeconds(5), ScaleDownWindow = TimeSpan.Zero };
// RunPod's defaults (docs.runpod.io/serverless/endpoints/endpoint-configurations): queue delay scaler at 4 s, idle
// timeout 5 s, 0 active workers; no stabilization window and no job-duration forecast. Max workers as Poddle's
// (RunPod's default of 3 could not serve the bursts at all).
var runpod = new PoolScalingPolicy(0, MaxWorkers, new QueueDelayScaler(TimeSpan.FromSeconds(4)),
    IdleTimeout: TimeSpan.FromSeconds(5), ScaleUpWindow: TimeSpan.Zero, ScaleDownWindow: TimeSpan.Zero);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"trace {tracePath}: {trace.Length} jobs over {trace[^1].At / 3600:F1} h, {trace.Sum(j => j.Duration) / 3600:F1} h of work; cold start {coldStart} s"));

var unbounded = Simulator.Run("fixed, unbounded", trace, coldStart, null, forecast: false, fixedWorkers: 10_000);
var peak = unbounded.PeakBusy;
var atPeak = Simulator.Run($"fixed at the peak ({peak})", trace, coldStart, null, forecast: false, fixedWorkers: peak);
var smallest = Enumerable.Range(1, peak)
    .Select(n => Simulator.Run($"fixed, smallest with p95 ≤ {QueueDelay} s", trace, coldStart, null, forecast: false, fixedWorkers: n))
    .First(r => r.P95 <= QueueDelay);
var engine = Simulator.Run("Poddle engine", trace, coldStart, poddle, forecast: true, fixedWorkers: 0);
var engineShortIdle = Simulator.Run("Poddle engine, idle timeout 5 s, no down window", trace, coldStart, poddleShortIdle, forecast: true, fixedWorkers: 0);
var runpodDefaults = Simulator.Run("RunPod default knobs", trace, coldStart, runpod, forecast: false, fixedWorkers: 0);

Console.WriteLine();
Console.WriteLine("| pool | workers | worker-hours paid | vs smallest fixed | p50 / p95 / p99 queue delay (s) | max delay (s) | workers spawned |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
foreach (var r in new[] { atPeak, smallest, engine, engineShortIdle, runpodDefaults })
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Name} | {(r.Fixed ? r.Workers.ToString(CultureInfo.InvariantCulture) : $"0-{MaxWorkers} (peak {r.PeakWorkers})")} | {r.WorkerSeconds / 3600:F1} | {(r.WorkerSeconds / smallest.WorkerSeconds - 1) * 100:+0;-0}% | {r.P50:F2} / {r.P95:F2} / {r.P99:F2} | {r.Max:F1} | {r.Spawned} |"));
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"engine decisions: {engine.Decisions.Count} on this trace; compute per decision: mean {engine.Decisions.Average():F2} µs, p99 {Percentile(engine.Decisions, 0.99):F2} µs, max {engine.Decisions.Max():F1} µs"));

// Reaction: a burst onto a pool at zero. The decision runs on the arrival event itself, so queue growth → spawn
// decision is the engine's compute time; measured here in a tight loop on a pool of 40 busy workers and 200 queued jobs.
var clock = new SimClock();
var hot = new ScalingEngine(clock);
var busy = Enumerable.Range(0, MaxWorkers - 1).Select(i => new PoolWorkerView($"w{i}", WorkerState.Running)).ToArray();
var snapshot = new PoolSnapshot(200, TimeSpan.FromSeconds(1), busy.Length, busy, TimeSpan.FromSeconds(2));
var times = new List<double>();
for (var i = 0; i < 200_000; i++)
{
    clock.Now = clock.Now.AddMilliseconds(5);
    var start = Stopwatch.GetTimestamp();
    var decision = hot.Decide(poddle, snapshot);
    times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    if (decision.Spawn != 1)
    {
        throw new InvalidOperationException("expected one spawn (the last worker up to max)");
    }
}

times.RemoveRange(0, 10_000); // warm-up (JIT tiers)
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"reaction, 39 busy workers + 200 queued → spawn decision: median {Percentile(times, 0.5):F2} µs, p99 {Percentile(times, 0.99):F2} µs, max {times.Max():F1} µs over {times.Count} decisions"));

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

internal sealed record Job(double At, double Duration);

internal sealed record SimResult(string Name, bool Fixed, int Workers, double WorkerSeconds, double P50, double P95, double P99, double Max, int Spawned, int PeakWorkers, int PeakBusy, List<double> Decisions);

internal sealed class SimClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class Simulator
{
    private enum Kind { Arrival, Ready, Done, Tick, Recheck }

    private sealed class Worker(string id, double spawnedAt)
    {
        public string Id { get; } = id;
        public double SpawnedAt { get; } = spawnedAt;
        public WorkerState State { get; set; } = WorkerState.Spawning;
        public double IdleSince { get; set; }
    }

    public static SimResult Run(string name, Job[] trace, double coldStart, PoolScalingPolicy? policy, bool forecast, int fixedWorkers)
    {
        var clock = new SimClock();
        var engine = policy is null ? null : new ScalingEngine(clock);
        var events = new PriorityQueue<(Kind Kind, Worker? Worker, int Job), (double, long)>();
        long sequence = 0;
        void Push(double at, Kind kind, Worker? worker = null, int job = -1) => events.Enqueue((kind, worker, job), (at, sequence++));

        var workers = new List<Worker>();
        var idle = new List<Worker>(); // a stack: the most recently idle on top
        var queue = new Queue<int>();
        var delays = new double[trace.Length];
        var recent = new Queue<double>();
        var decisions = new List<double>();
        var rechecks = new HashSet<DateTimeOffset>();
        double paid = 0, recentSum = 0;
        int running = 0, spawned = 0, peakWorkers = 0, peakBusy = 0, nextId = 0;
        var horizon = Math.Ceiling(trace[^1].At / 3600) * 3600;

        for (var i = 0; i < trace.Length; i++)
        {
            Push(trace[i].At, Kind.Arrival, job: i);
        }

        for (var i = 0; i < fixedWorkers; i++)
        {
            var worker = new Worker($"f{i}", 0) { State = WorkerState.Idle };
            workers.Add(worker);
            idle.Add(worker);
        }

        if (engine is not null)
        {
            Push(0, Kind.Tick);
        }

        var now = 0.0;
        while (events.TryDequeue(out var e, out var key))
        {
            now = key.Item1;
            clock.Now = DateTimeOffset.UnixEpoch.AddSeconds(now);
            switch (e.Kind)
            {
                case Kind.Arrival:
                    queue.Enqueue(e.Job);
                    break;
                case Kind.Ready:
                    Idle(e.Worker!);
                    break;
                case Kind.Done:
                    running--;
                    recent.Enqueue(trace[e.Job].Duration);
                    recentSum += trace[e.Job].Duration;
                    if (recent.Count > 50)
                    {
                        recentSum -= recent.Dequeue();
                    }

                    Idle(e.Worker!);
                    break;
                case Kind.Tick:
                    if (now + 1 <= horizon)
                    {
                        Push(now + 1, Kind.Tick);
                    }

                    break;
                case Kind.Recheck:
                    break;
            }

            // Idle workers take queued jobs (oldest first).
            while (queue.Count > 0 && idle.Count > 0)
            {
                var worker = idle[^1];
                idle.RemoveAt(idle.Count - 1);
                var job = queue.Dequeue();
                worker.State = WorkerState.Running;
                delays[job] = now - trace[job].At;
                running++;
                peakBusy = Math.Max(peakBusy, running);
                Push(now + trace[job].Duration, Kind.Done, worker, job);
            }

            if (engine is null)
            {
                continue;
            }

            var views = new PoolWorkerView[workers.Count];
            for (var i = 0; i < workers.Count; i++)
            {
                var w = workers[i];
                views[i] = new PoolWorkerView(w.Id, w.State, w.State == WorkerState.Idle ? DateTimeOffset.UnixEpoch.AddSeconds(w.IdleSince) : null);
            }

            var oldest = queue.Count > 0 ? now - trace[queue.Peek()].At : 0;
            TimeSpan? mean = forecast && recent.Count > 0 ? TimeSpan.FromSeconds(recentSum / recent.Count) : null;
            var snapshot = new PoolSnapshot(queue.Count, TimeSpan.FromSeconds(oldest), running, views, mean);
            var started = Stopwatch.GetTimestamp();
            var decision = engine.Decide(policy!, snapshot);
            decisions.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);

            for (var i = 0; i < decision.Spawn; i++)
            {
                var worker = new Worker($"w{nextId++}", now);
                workers.Add(worker);
                spawned++;
                Push(now + coldStart, Kind.Ready, worker);
            }

            foreach (var id in decision.Drain)
            {
                var worker = workers.Single(w => w.Id == id);
                workers.Remove(worker);
                idle.Remove(worker);
                paid += now - worker.SpawnedAt;
            }

            peakWorkers = Math.Max(peakWorkers, workers.Count);
            if (decision.RecheckAt is { } recheck && recheck > clock.Now && rechecks.Add(recheck))
            {
                Push((recheck - DateTimeOffset.UnixEpoch).TotalSeconds, Kind.Recheck);
            }
        }

        var end = Math.Max(now, horizon);
        paid += workers.Sum(w => end - w.SpawnedAt);
        var sorted = delays.Order().ToArray();
        double P(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new SimResult(name, engine is null, fixedWorkers, paid, P(0.5), P(0.95), P(0.99), sorted[^1], spawned,
            Math.Max(peakWorkers, fixedWorkers), peakBusy, decisions);

        void Idle(Worker worker)
        {
            worker.State = WorkerState.Idle;
            worker.IdleSince = now;
            idle.Add(worker);
        }
    }
}
