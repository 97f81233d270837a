namespace Poddle.Web.Auth;

/// <summary>
/// The rate-limiter policies the account pages share with the API (the server registers them; the pages name them with
/// <c>[EnableRateLimiting]</c>): the same counters per client IP, whether the form or the API is used. Only form posts
/// count on a page. A refused post is sent back to the page with <see cref="RetryAfterQuery"/> (seconds), which says in
/// words how long to wait.
/// </summary>
public static class AccountRateLimits
{
    public const string Registration = "registration";
    public const string PasswordReset = "password-reset";
    public const string RetryAfterQuery = "retryAfter";
}
