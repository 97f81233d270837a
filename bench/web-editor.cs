#:package Microsoft.Playwright
#:property PublishAot=false
// The web app in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a real `poddle serve`
// (the Release build, started with its own defaults in a fresh home directory, SQLite, the sandbox driver):
//   - navigation to a page until it is ready (a selector visible, or --ready-js true): cold (a new browser context,
//     empty HTTP cache) and warm (the same context's next visit), median and p95 of --navigations
//   - bytes transferred on a cold load (the responses' encoded, i.e. compressed, body sizes plus headers, until the
//     network is idle), all of them and without those whose URL contains --heavy (Monaco's files by default)
//   - click → DOM output: in-page time from a click on --click until --output's subtree has lost the old output and
//     contains --expect again, median and p95 of --clicks; with --code, the code is put into Monaco first (through
//     Monaco's API, as a student's typing would reach the page) and the page is given time to save it
//   - memory per connected circuit: the server process's RSS with --circuits pages open and interactive, less its RSS
//     before, divided by --circuits
// Usage (repository root, as root; build first: dotnet build -c Release; apt-get install chromium):
//   dotnet run bench/web-editor.cs -- [--path /] [--ready CSS | --ready-js JS] [--click CSS] [--output CSS] [--expect TEXT]
//       [--code TEXT] [--code-saved TEXT] [--navigations 10] [--clicks 50] [--circuits 100] [--heavy monaco] [--sign-in]
//       [--run-rate-limit N]
// The problem page (a student signed in through /signin; the server's run rate limit raised to N per minute, hour and
// day through its configuration, for this benchmark only, so that 50 runs are allowed):
//   dotnet run bench/web-editor.cs -- --sign-in --path /learn/problems/k-add
//       --ready-js "() => !!window.monaco && monaco.editor.getEditors().length > 0 && monaco.editor.getEditors()[0].getValue().length > 0"
//       --click "#learn-run" --output "#learn-result" --expect hello --code "print('hello')" --run-rate-limit 100000
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Playwright;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var options = BenchOptions.Parse(args);
var root = Directory.GetCurrentDirectory();
var dll = Path.Combine(root, "src/Poddle.Cli/bin/Release/net10.0/poddle.dll");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"{dll} is missing: run `dotnet build -c Release` first.");
    return 2;
}

if (!File.Exists("/usr/bin/chromium"))
{
    Console.Error.WriteLine("/usr/bin/chromium is missing: apt-get install chromium.");
    return 2;
}

// The server: its own defaults, in a fresh home of its own (it makes ./data there).
var home = Directory.CreateTempSubdirectory("poddle-bench-web-").FullName;
var baseUrl = $"http://127.0.0.1:{FreePort()}";
var start = new ProcessStartInfo("dotnet", [dll, "serve", "--urls", baseUrl])
{
    WorkingDirectory = home,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    UseShellExecute = false,
};
start.Environment["PODDLE_ADMIN_PASSWORD"] = "bench-admin-password";
start.Environment["PODDLE_Logging__LogLevel__Default"] = "Warning";
if (options.RunRateLimit is { } limit)
{
    // The benchmark's server only: the product's defaults (10 a minute) would refuse the 50 runs.
    var value = limit.ToString(CultureInfo.InvariantCulture);
    start.Environment["PODDLE_Execution__RateLimit__PerMinute"] = value;
    start.Environment["PODDLE_Execution__RateLimit__PerHour"] = value;
    start.Environment["PODDLE_Execution__RateLimit__PerDay"] = value;
}

using var server = Process.Start(start)!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, _) => { };
server.BeginOutputReadLine();
server.BeginErrorReadLine();
try
{
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
    await WaitReadyAsync(http);
    using var playwright = await Playwright.CreateAsync();
    // Headless Debian Chromium; no Chromium sandbox, as root in a container (see tests/Poddle.Web.Tests/EndToEnd/BrowserFixture.cs).
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        ChromiumSandbox = false,
        Args = ["--disable-dev-shm-usage"],
    });
    var contextOptions = new BrowserNewContextOptions { BaseURL = baseUrl, Locale = "en-US", ViewportSize = new ViewportSize { Width = 1280, Height = 800 } };
    if (options.SignIn)
    {
        contextOptions.StorageState = await SignInAsync(http, browser, contextOptions, options);
    }

    Console.WriteLine(Invariant($"page {options.Path}, ready when {options.ReadyText}; Chromium {browser.Version}; {Environment.ProcessorCount} cores; load {File.ReadAllText("/proc/loadavg").Trim()}"));

    // Warm-up: the server's JIT and first circuit, not measured.
    await using (var warmUp = await browser.NewContextAsync(contextOptions))
    {
        var page = await warmUp.NewPageAsync();
        await NavigateAsync(page, options);
        await WaitInteractiveAsync(page);
    }

    // 1 and 2. Navigation, cold and warm; bytes of the cold loads.
    var cold = new List<double>();
    var warm = new List<double>();
    long allBytes = 0, lightBytes = 0, requests = 0, heavyRequests = 0;
    for (var i = 0; i < options.Navigations; i++)
    {
        await using var context = await browser.NewContextAsync(contextOptions);
        var page = await context.NewPageAsync();
        var finished = new List<IRequest>();
        page.RequestFinished += (_, request) => { lock (finished) { finished.Add(request); } };
        cold.Add(await NavigateAsync(page, options));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        List<IRequest> loaded;
        lock (finished)
        {
            loaded = [.. finished];
        }

        if (i == 0)
        {
            foreach (var request in loaded)
            {
                var sizes = await request.SizesAsync();
                var bytes = (long)sizes.ResponseBodySize + sizes.ResponseHeadersSize;
                var heavy = request.Url.Contains(options.Heavy, StringComparison.OrdinalIgnoreCase);
                allBytes += bytes;
                requests++;
                if (heavy)
                {
                    heavyRequests++;
                }
                else
                {
                    lightBytes += bytes;
                }
            }
        }

        warm.Add(await NavigateAsync(page, options));
    }

    if (cold.Count > 0)
    {
        Console.WriteLine(Invariant($"navigation until {options.ReadyText}, cold (new context): median {P(cold, 0.5):F0} ms, p95 {P(cold, 0.95):F0} ms (n={cold.Count})"));
        Console.WriteLine(Invariant($"navigation until {options.ReadyText}, warm (same context, 2nd visit): median {P(warm, 0.5):F0} ms, p95 {P(warm, 0.95):F0} ms (n={warm.Count})"));
        Console.WriteLine(Invariant($"bytes transferred, cold load until network idle: {allBytes / 1024.0:F1} KiB in {requests} responses; without '{options.Heavy}' ({heavyRequests} responses): {lightBytes / 1024.0:F1} KiB"));
    }

    // 3. Click → DOM output, measured in the page (performance.now), on a live circuit.
    if (options.Click is not null && options.Clicks > 0)
    {
        await using var context = await browser.NewContextAsync(contextOptions);
        var page = await context.NewPageAsync();
        await NavigateAsync(page, options);
        await WaitInteractiveAsync(page);
        if (options.Code is not null)
        {
            // Into Monaco through its API; the page hears of the change (as of a keystroke) and saves the draft.
            await page.EvaluateAsync("code => monaco.editor.getEditors()[0].setValue(code)", options.Code);
            await page.GetByText(options.CodeSaved).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        }

        var clickable = page.Locator(options.Click + ":not([disabled])").First;
        var latencies = new List<double>();
        for (var i = 0; i < options.Clicks; i++)
        {
            // The previous click's work is over (its button is enabled again) before the next click is timed.
            await clickable.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });
            latencies.Add(await page.EvaluateAsync<double>(ClickToOutput, new[] { options.Click, options.Output ?? options.Click, options.Expect }));
        }

        Console.WriteLine(Invariant($"click '{options.Click}' → '{options.Output ?? options.Click}' changed: median {P(latencies, 0.5):F1} ms, p95 {P(latencies, 0.95):F1} ms (n={latencies.Count})"));
    }

    // 4. Memory per connected circuit. A page counts once its circuit is connected and its components attached (the
    // server holds the circuit's state from then on); the browser's own work after that (Monaco in 100 tabs, which
    // background tabs may defer) is not waited for.
    if (options.Circuits > 0)
    {
        var before = RssKiB(server.Id);
        await using var context = await browser.NewContextAsync(contextOptions);
        for (var i = 0; i < options.Circuits; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(options.Path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await WaitInteractiveAsync(page);
            if ((i + 1) % 25 == 0)
            {
                Console.Error.WriteLine(Invariant($"{i + 1} circuits open, server RSS {RssKiB(server.Id) / 1024.0:F0} MiB"));
            }
        }

        var after = RssKiB(server.Id);
        Console.WriteLine(Invariant($"server RSS: {before / 1024.0:F0} MiB before, {after / 1024.0:F0} MiB with {options.Circuits} circuits open → {(after - before) / (double)options.Circuits:F0} KiB per circuit"));
    }

    return 0;
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    try
    {
        Directory.Delete(home, recursive: true);
    }
    catch (IOException)
    {
        // Temp space.
    }
}

// Navigates and returns the milliseconds until the ready selector is visible (the browser's clock, from the call).
static async Task<double> NavigateAsync(IPage page, BenchOptions options)
{
    var clock = Stopwatch.StartNew();
    await page.GotoAsync(options.Path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
    if (options.ReadyJs is not null)
    {
        await page.WaitForFunctionAsync(options.ReadyJs, null, new PageWaitForFunctionOptions { PollingInterval = 10, Timeout = 60_000 });
    }
    else
    {
        await page.Locator(options.Ready).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });
    }

    return clock.Elapsed.TotalMilliseconds;
}

// The circuit is connected and the components attached: Blazor's event delegator has put its record on an element
// (tests/Poddle.Web.Tests/EndToEnd/BlazorCircuit.cs says why this is the signal).
static Task WaitInteractiveAsync(IPage page) =>
    page.WaitForFunctionAsync(
        "() => !!window.Blazor && Array.prototype.some.call(document.querySelectorAll('*'), n => Object.keys(n).some(k => k.startsWith('_blazorEvents_')))",
        null,
        new PageWaitForFunctionOptions { PollingInterval = 20, Timeout = 60_000 });

// Registers a student through the API and signs in through the browser's sign-in form; returns the signed-in cookies.
static async Task<string> SignInAsync(HttpClient http, IBrowser browser, BrowserNewContextOptions contextOptions, BenchOptions options)
{
    var name = "bench" + Guid.NewGuid().ToString("N")[..8];
    const string Password = "bench-password-1234";
    (await http.PostAsJsonAsync("/api/auth/register", new { email = $"{name}@example.test", username = name, password = Password })).EnsureSuccessStatusCode();
    await using var context = await browser.NewContextAsync(contextOptions);
    var page = await context.NewPageAsync();
    await page.GotoAsync(options.SignInPath);
    await page.Locator(options.UserField).First.FillAsync(name);
    await page.Locator(options.PasswordField).First.FillAsync(Password);
    // Enter in the password field submits its own form (the app bar has forms and buttons of its own, e.g. the theme switch).
    await page.Locator(options.PasswordField).First.PressAsync("Enter");
    await page.WaitForURLAsync(url => !url.Contains(options.SignInPath, StringComparison.OrdinalIgnoreCase), new PageWaitForURLOptions { Timeout = 30_000 });
    return await context.StorageStateAsync();
}

static long RssKiB(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
    }

    throw new InvalidOperationException($"no VmRSS for process {pid}");
}

static double P(List<double> values, double quantile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task WaitReadyAsync(HttpClient http)
{
    for (var i = 0; i < 600; i++)
    {
        try
        {
            if ((await http.GetAsync("/readyz")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        await Task.Delay(100);
    }

    throw new TimeoutException("poddle serve did not become ready in 60 s");
}

/// <summary>Click → output, in the page: a click on the first match of [0], then the time until a mutation inside the first
/// match of [1] leaves it containing [2] (any mutation when [2] is empty). When [1] holds [2] already (the previous
/// click's output), the old output must go first: the page clears it when the new work starts.</summary>
internal static partial class Program
{
    internal const string ClickToOutput = """
        ([click, output, expect]) => new Promise((resolve, reject) => {
            const target = document.querySelector(output);
            if (!target) { reject(new Error('no element matches ' + output)); return; }
            let cleared = expect === '' || !target.textContent.includes(expect);
            const observer = new MutationObserver(() => {
                if (!target.textContent.includes(expect)) { cleared = true; return; }
                if (cleared) { observer.disconnect(); resolve(performance.now() - started); }
            });
            observer.observe(target, { subtree: true, childList: true, characterData: true, attributes: true });
            const started = performance.now();
            document.querySelector(click).click();
            setTimeout(() => { observer.disconnect(); reject(new Error('no output within 30 s')); }, 30000);
        })
        """;
}

/// <summary>The command line: --name value pairs, each with a default for the home page.</summary>
internal sealed record BenchOptions(
    string Path, string Ready, string? Click, string? Output, string Expect, int Navigations, int Clicks, int Circuits, string Heavy,
    bool SignIn, string SignInPath, string UserField, string PasswordField,
    string? ReadyJs, string? Code, string CodeSaved, int? RunRateLimit)
{
    /// <summary>What "ready" means, for the report.</summary>
    public string ReadyText => ReadyJs is null ? $"'{Ready}' is visible" : $"`{ReadyJs}` is true";

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var signIn = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--sign-in")
            {
                signIn = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{args[i]}' (see the usage at the top of bench/web-editor.cs)");
            }
        }

        string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);
        int Number(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        return new BenchOptions(
            Get("path", "/"),
            Get("ready", "h1"),
            values.GetValueOrDefault("click"),
            values.GetValueOrDefault("output"),
            Get("expect", ""),
            Number("navigations", 10),
            Number("clicks", 50),
            Number("circuits", 100),
            Get("heavy", "monaco"),
            signIn,
            Get("sign-in-path", "/signin"),
            Get("user-field", "input[autocomplete=username]"),
            Get("password-field", "input[type=password]"),
            values.GetValueOrDefault("ready-js"),
            values.GetValueOrDefault("code"),
            Get("code-saved", "Your code is saved."),
            values.TryGetValue("run-rate-limit", out var rate) ? int.Parse(rate, CultureInfo.InvariantCulture) : null);
    }
}
