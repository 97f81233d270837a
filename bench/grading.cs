#:project ../src/Poddle.Drivers.Sandbox/Poddle.Drivers.Sandbox.csproj
#:project ../src/Poddle.Core/Poddle.Core.csproj
#:property PublishAot=false
// Grading a 10-case stdin problem against the same 10 programs run one after another through the executor (what a
// client calling /api/execution/submit ten times gets at best), side by side in one run, alternating; then the same
// problem solved in C, where grading compiles once and ten submissions compile ten times.
// Usage (from the repository root, as root for full isolation): dotnet run bench/grading.cs -- 15
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Drivers.Sandbox;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
var median = CurriculumLoader.LoadStarter().FindProblem("t-median") ?? throw new InvalidOperationException("t-median is missing");
var random = new Random(42);
var cases = new List<TestCase>();
for (var i = 0; i < 10; i++)
{
    var numbers = Enumerable.Range(0, random.Next(1, 30)).Select(_ => random.Next(-1000, 1000)).ToList();
    var sorted = numbers.Order().ToList();
    var middle = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2.0;
    cases.Add(new TestCase(
        $"{numbers.Count}\n{string.Join(' ', numbers)}\n",
        middle.ToString("0.0", CultureInfo.InvariantCulture) + "\n",
        null,
        null,
        Hidden: i >= 3));
}

var problem = median with { Tests = cases };
var code = median.ReferenceSolution!;
var options = new SandboxExecutionOptions { VerifyLanguages = false };
options.Languages.Add("python");
options.Languages.Add("c");
await using var executor = await SandboxCodeExecutor.StartAsync(options);
var grader = new ProblemGrader(executor);

var grading = new List<double>();
var separate = new List<double>();
for (var round = 0; round <= rounds; round++)
{
    var watch = Stopwatch.StartNew();
    var result = await grader.GradeAsync(problem, code, CancellationToken.None);
    var gradeMs = watch.Elapsed.TotalMilliseconds;
    if (!result.AllPassed)
    {
        throw new InvalidOperationException($"the reference solution failed: {result.Passed}/{result.Total}");
    }

    watch.Restart();
    foreach (var testCase in cases)
    {
        var run = await executor.ExecuteAsync(
            new CodeExecutionRequest("python", [new CodeFile("main.py", Encoding.UTF8.GetBytes(code))], Encoding.UTF8.GetBytes(testCase.Stdin!)),
            CancellationToken.None);
        if (run.Verdict != ExecutionVerdict.Ok)
        {
            throw new InvalidOperationException($"a separate run failed: {run.Verdict}");
        }
    }

    var separateMs = watch.Elapsed.TotalMilliseconds;
    if (round == 0)
    {
        continue; // warm-up: JIT, page cache, warm pool filling
    }

    grading.Add(gradeMs);
    separate.Add(separateMs);
}

Console.WriteLine($"python, 10-case problem, {rounds} rounds, medians:");
Console.WriteLine($"  grade (ProblemGrader, {new GraderOptions().MaxParallelRuns} runs at once): {Median(grading):0.0} ms");
Console.WriteLine($"  10 separate runs, one after another: {Median(separate):0.0} ms");
Console.WriteLine($"  ratio grade / separate: {Median(grading) / Median(separate):0.00}");

// The same problem solved in C: grading compiles once and runs 10 times; 10 separate submissions compile 10 times.
const string cCode = """
    #include <stdio.h>
    #include <stdlib.h>
    static int cmp(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
    int main(void) {
        int n; if (scanf("%d", &n) != 1) return 1;
        int *v = malloc(sizeof(int) * n);
        for (int i = 0; i < n; i++) scanf("%d", &v[i]);
        qsort(v, n, sizeof(int), cmp);
        double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
        printf("%.1f\n", m);
        return 0;
    }
    """;
if (!executor.Runtimes.Any(r => r.Language == "c"))
{
    Console.WriteLine("c: gcc is not offered on this host; the compiled-language comparison is skipped");
    return;
}

var cGrading = new List<double>();
var cSeparate = new List<double>();
for (var round = 0; round <= rounds; round++)
{
    var watch = Stopwatch.StartNew();
    var result = await grader.GradeAsync(problem, cCode, "c", CancellationToken.None);
    var gradeMs = watch.Elapsed.TotalMilliseconds;
    if (!result.AllPassed)
    {
        throw new InvalidOperationException($"the C solution failed: {result.Passed}/{result.Total}: " + string.Join(" | ", result.Cases.Select(c => $"{c.Verdict} {c.Input} {c.Actual} {c.Error}")));
    }

    watch.Restart();
    foreach (var testCase in cases)
    {
        var run = await executor.ExecuteAsync(
            new CodeExecutionRequest("c", [new CodeFile("main.c", Encoding.UTF8.GetBytes(cCode))], Encoding.UTF8.GetBytes(testCase.Stdin!)),
            CancellationToken.None);
        if (run.Verdict != ExecutionVerdict.Ok)
        {
            throw new InvalidOperationException($"a separate C run failed: {run.Verdict}");
        }
    }

    var separateMs = watch.Elapsed.TotalMilliseconds;
    if (round == 0)
    {
        continue;
    }

    cGrading.Add(gradeMs);
    cSeparate.Add(separateMs);
}

Console.WriteLine($"c, 10-case problem, {rounds} rounds, medians:");
Console.WriteLine($"  grade (compile once, {new GraderOptions().MaxParallelRuns} runs at once): {Median(cGrading):0.0} ms");
Console.WriteLine($"  10 separate submissions (compile + run each), one after another: {Median(cSeparate):0.0} ms");
Console.WriteLine($"  ratio grade / separate: {Median(cGrading) / Median(cSeparate):0.00}");

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
