using System.Net;
using System.Text.RegularExpressions;

namespace Poddle.Server.Tests.Web;

/// <summary>
/// A browser as far as the web app's forms need one: a cookie jar, no automatic redirects (tests look at them), and a
/// form post that sends the page's antiforgery token and Blazor's form handler name, as a browser submitting the form.
/// </summary>
public sealed partial class WebBrowser : IDisposable
{
    public const string UserAgent = "PoddleTestBrowser/1.0 (web sign-in tests)";

    private readonly HttpClient _client;

    public WebBrowser(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public CookieContainer Cookies { get; }

    public Task<HttpResponseMessage> GetAsync(string path) => _client.GetAsync(new Uri(path, UriKind.Relative));

    /// <summary>Opens <paramref name="path"/>, then posts its form <paramref name="handler"/> with <paramref name="fields"/>.</summary>
    /// <remarks><paramref name="formPath"/>: where the form posts when not to the page itself (the app bar's forms).</remarks>
    public async Task<HttpResponseMessage> SubmitAsync(string path, string handler, IDictionary<string, string> fields, bool withToken = true, string? formPath = null)
    {
        var page = await _client.GetStringAsync(new Uri(path, UriKind.Relative));
        var form = new Dictionary<string, string>(fields);
        if (handler.Length > 0)
        {
            form["_handler"] = handler;
        }

        foreach (Match hidden in HiddenInputPattern().Matches(page))
        {
            form.TryAdd(hidden.Groups[1].Value, WebUtility.HtmlDecode(hidden.Groups[2].Value));
        }

        if (withToken)
        {
            form["__RequestVerificationToken"] = TokenPattern().Match(page).Groups[1].Value;
        }

        using var content = new FormUrlEncodedContent(form);
        return await _client.PostAsync(new Uri(formPath ?? path.Split('?')[0], UriKind.Relative), content);
    }

    public Task<HttpResponseMessage> SignInAsync(string login, string password, string path = "/signin") =>
        SubmitAsync(path, "signin", new Dictionary<string, string> { ["Input.Login"] = login, ["Input.Password"] = password });

    /// <summary>The sign-in cookie's value, or null.</summary>
    public string? SessionCookie => Cookies.GetAllCookies().FirstOrDefault(c => c.Name == ".poddle.session")?.Value;

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    /// <summary>The page form's own hidden fields (Input.ReturnUrl), which a browser posts with the form.</summary>
    [GeneratedRegex("<input type=\"hidden\" name=\"(Input\\.[^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInputPattern();
}
