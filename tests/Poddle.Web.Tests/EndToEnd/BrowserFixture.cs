using Microsoft.Playwright;
using Poddle.Testing;

namespace Poddle.Web.Tests.EndToEnd;

/// <summary>
/// One real `poddle serve` and one headless Chromium for the browser collection. The server is the built program with its
/// own defaults, as the README starts it: a fresh home directory, no --data-dir (it makes ./data itself), SQLite, the
/// sandbox driver, a free loopback port, the admin's password through PODDLE_ADMIN_PASSWORD, and mail through a real SMTP
/// server (<see cref="Mail"/>, configured as an operator would: Email:Smtp and Email:ServerUrl). Tests take fresh contexts
/// from <see cref="NewContextAsync"/> (through <see cref="BrowserTest"/>), never share one.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private PoddleProcess? _server;
    private SmtpTestServer? _mail;
    private string? _home;

    /// <summary>The server's address, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The running `poddle serve` (its output for failure messages, its process id for memory figures).</summary>
    public PoddleProcess Server => _server ?? throw new InvalidOperationException("The browser fixture did not start (see the test's first failure).");

    /// <summary>The SMTP server the server sends its mail to (password reset codes).</summary>
    public SmtpTestServer Mail => _mail ?? throw new InvalidOperationException("The browser fixture did not start (see the test's first failure).");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser fixture did not start (see the test's first failure).");

    public async Task InitializeAsync()
    {
        if (Chromium.SkipReason is not null)
        {
            return; // Every test of the collection is skipped (no browser on a developer machine); start nothing.
        }

        if (Chromium.Missing is { } missing)
        {
            throw new InvalidOperationException($"CI=true and the browser is missing: {missing}.");
        }

        _home = PoddleProcess.NewHome("web");
        BaseUrl = PoddleProcess.FreeLoopbackUrl();
        _mail = await SmtpTestServer.StartAsync();
        var settings = new Dictionary<string, string?>(_mail.EnvironmentVariables) { ["PODDLE_Email__ServerUrl"] = BaseUrl };
        _server = await PoddleProcess.StartServerAsync(BaseUrl, _home, settings);
        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchAsync(_playwright);
    }

    /// <summary>
    /// Debian's Chromium, headless, never a downloaded browser. Chromium's own sandbox is off: the tests run as root in a
    /// container, where Chromium refuses to start sandboxed as root and the user namespaces its sandbox needs are not
    /// granted; the pages it opens are the app under test on loopback, not the web. --disable-dev-shm-usage because a
    /// container's /dev/shm is small (64 MiB under Docker) and a full one crashes the renderer on long pages.
    /// </summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            ChromiumSandbox = false, // Playwright passes --no-sandbox (see above).
            Args = ["--disable-dev-shm-usage"],
        });
    }

    /// <summary>
    /// A fresh context (its own cookies and storage: one signed-in person) on the server, in English, light colour scheme,
    /// a laptop-sized viewport, relative URLs resolved against <see cref="BaseUrl"/>.
    /// </summary>
    public Task<IBrowserContext> NewContextAsync(string locale = "en-US") =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = locale,
            ColorScheme = ColorScheme.Light,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_mail is not null)
        {
            await _mail.DisposeAsync();
        }

        if (_home is not null)
        {
            try
            {
                Directory.Delete(_home, recursive: true);
            }
            catch (IOException)
            {
                // Temp space; the OS cleans it.
            }
            catch (UnauthorizedAccessException)
            {
                // A sandbox left a file it owns; temp space all the same.
            }
        }
    }
}
