#:project ../src/Poddle.Drivers.Sandbox/Poddle.Drivers.Sandbox.csproj
// Every language this host offers, end to end through SandboxCodeExecutor with the warm pool (each run a hit):
// a program that echoes its first argument and a line of stdin. Prints start-up (discovery + verification) and,
// per language, medians of the whole ExecuteAsync, the compile step's CPU and the run step's wall and CPU time.
// Usage (from the repository root, as root for full isolation): dotnet run bench/sandbox-languages.cs -- 5
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Drivers.Sandbox;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var programs = new Dictionary<string, string>
{
    ["python"] = "import sys\nprint('hi', sys.argv[1], input())\n",
    ["c"] = "#include <stdio.h>\nint main(int c, char **v) { char b[100]; fgets(b, 100, stdin); printf(\"hi %s %s\", v[1], b); }\n",
    ["cpp"] = "#include <iostream>\n#include <string>\nint main(int c, char **v) { std::string s; std::getline(std::cin, s); std::cout << \"hi \" << v[1] << \" \" << s << std::endl; }\n",
    ["javascript"] = "console.log('hi', process.argv[2], require('fs').readFileSync(0, 'utf8').split('\\n')[0]);\n",
    ["java"] = "public class Main { public static void main(String[] a) { System.out.println(\"hi \" + a[0] + \" \" + new java.util.Scanner(System.in).nextLine()); } }\n",
    ["csharp"] = "System.Console.WriteLine($\"hi {args[0]} {System.Console.ReadLine()}\");\n",
    ["rust"] = "fn main() { let mut s = String::new(); std::io::stdin().read_line(&mut s).unwrap(); println!(\"hi {} {}\", std::env::args().nth(1).unwrap(), s.trim_end()); }\n",
    ["bash"] = "read -r line\necho \"hi $1 $line\"\n",
};

var watch = Stopwatch.StartNew();
await using var executor = await SandboxCodeExecutor.StartAsync(new SandboxExecutionOptions());
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start_ms={watch.ElapsedMilliseconds} isolation={executor.Health.Level} runs={runs}"));
foreach (var runtime in executor.Runtimes)
{
    var total = new List<double>();
    var compileCpu = new List<double>();
    var runWall = new List<double>();
    var runCpu = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        while (executor.GetPoolStats().Single(s => s.Language == runtime.Language).Ready == 0)
        {
            await Task.Delay(20);
        }

        await Task.Delay(50);
        watch.Restart();
        var result = await executor.ExecuteAsync(
            new CodeExecutionRequest(runtime.Language, [new CodeFile(runtime.MainFile, Encoding.UTF8.GetBytes(programs[runtime.Language]))], "in put\n"u8.ToArray(), ["arg"]),
            CancellationToken.None);
        total.Add(watch.Elapsed.TotalMilliseconds);
        if (result.Verdict != ExecutionVerdict.Ok || Encoding.UTF8.GetString(result.Run!.Stdout) != "hi arg in put\n")
        {
            Console.Error.WriteLine($"{runtime.Language}: {result.Verdict} {result.Run?.Message ?? result.Compile?.Message}");
            return 1;
        }

        compileCpu.Add(result.Compile?.CpuMs ?? 0);
        runWall.Add(result.Run.WallMs);
        runCpu.Add(result.Run.CpuMs);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{runtime.Language,-10} {runtime.Version,-9} execute_median_ms={Median(total),7:F1} compile_cpu_ms={Median(compileCpu),5} run_wall_ms={Median(runWall),4} run_cpu_ms={Median(runCpu),4}"));
}

Console.WriteLine(string.Join(' ', executor.GetPoolStats().Select(s => $"{s.Language}:hits={s.Hits},misses={s.Misses}")));
return 0;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
