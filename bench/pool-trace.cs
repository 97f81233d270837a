#:property PublishAot=false
// Generates the recorded arrival trace the pool cost benchmark (bench/pool-cost.cs) replays: one day of jobs for a
// worker pool, with quiet night hours, a daytime curve, bursts during the day and two night batches. Seeded, so the
// committed bench/pool-trace.csv is what this prints; run it again only to change the trace on purpose.
// Usage (from the repository root): dotnet run bench/pool-trace.cs > bench/pool-trace.csv
using System.Globalization;

var random = new Random(20261207);
var jobs = new List<(double At, double Duration)>();

// Poisson arrivals at a rate (jobs/s) per hour of the day.
double[] hourly =
[
    0.003, 0.002, 0.002, 0.002, 0.002, 0.003, 0.006, 0.02, // 00-07: night, then people arrive
    0.05, 0.08, 0.10, 0.12, 0.10, 0.11, 0.12, 0.10,       // 08-15: working day
    0.09, 0.07, 0.04, 0.03, 0.02, 0.01, 0.006, 0.004,     // 16-23: evening
];
for (var hour = 0; hour < 24; hour++)
{
    var t = hour * 3600.0;
    while (true)
    {
        t += -Math.Log(1 - random.NextDouble()) / hourly[hour];
        if (t >= (hour + 1) * 3600.0)
        {
            break;
        }

        jobs.Add((t, Duration()));
    }
}

// Ten daytime bursts (a batch submitted by a client: 100-400 jobs over 20-60 s) and two night batches (200 jobs in 10 s).
for (var i = 0; i < 10; i++)
{
    Burst((8 + (random.NextDouble() * 12)) * 3600, random.Next(100, 401), 20 + (random.NextDouble() * 40));
}

Burst(2.0 * 3600, 200, 10);
Burst(4.5 * 3600, 200, 10);

jobs.Sort((a, b) => a.At.CompareTo(b.At));
Console.WriteLine("# arrival_s,duration_s  (bench/pool-trace.cs, seed 20261207: one day, quiet nights, daytime curve, 12 bursts)");
foreach (var (at, duration) in jobs)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{at:F3},{duration:F3}"));
}

// Execution time: log-normal, median 1.5 s, a long tail (mean about 2 s).
double Duration()
{
    var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    return Math.Clamp(1.5 * Math.Exp(0.75 * normal), 0.05, 60);
}

void Burst(double start, int count, double seconds)
{
    for (var j = 0; j < count; j++)
    {
        jobs.Add((start + (random.NextDouble() * seconds), Duration()));
    }
}
