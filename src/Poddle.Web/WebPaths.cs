namespace Poddle.Web;

/// <summary>
/// The web app's addresses, shared by pages (<c>@page</c> uses these literals), links, redirects and tests. The API
/// keeps /api, /api/v2, /docs, /openapi, /metrics, /healthz and /readyz.
/// </summary>
public static class WebPaths
{
    public const string Home = "/";

    /// <summary>What a page that is not the caller's, or not there, shows (Components/NotFound.razor).</summary>
    public const string NotFound = "/not-found";

    // Account (static server rendering: they set or clear the sign-in cookie)
    public const string SignIn = "/signin";
    public const string SignInTwoFactor = "/signin/two-factor";
    public const string SignUp = "/signup";
    public const string SignOut = "/signout";
    public const string ForgotPassword = "/forgot-password";
    public const string ResetPassword = "/reset-password";
    public const string Account = "/account";

    // Students
    public const string Learn = "/learn";
    public const string Level = "/learn/levels/{0}";
    public const string Problem = "/learn/problems/{0}";
    public const string Progress = "/learn/progress";
    public const string JoinClass = "/learn/join";

    // Teachers
    public const string Classes = "/teach/classes";
    public const string Class = "/teach/classes/{0}";
    public const string ClassStudent = "/teach/classes/{0}/students/{1}";
    public const string Problems = "/teach/problems";
    public const string NewProblem = "/teach/problems/new";
    public const string EditProblem = "/teach/problems/{0}/edit";

    // Admins
    public const string Users = "/admin/users";

    /// <summary>A path with its placeholders filled and each value escaped.</summary>
    public static string Of(string path, params object[] values) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, path, [.. values.Select(v => Uri.EscapeDataString(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty))]);
}
