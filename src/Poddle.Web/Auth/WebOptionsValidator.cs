using Microsoft.Extensions.Options;

namespace Poddle.Web.Auth;

internal sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        var errors = new List<string>();
        if (options.SessionCheckInterval < TimeSpan.Zero || options.SessionCheckInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{WebOptions.SectionName}:{nameof(WebOptions.SessionCheckInterval)} must be between 00:00:00 and 00:10:00.");
        }

        if (options.CircuitRevalidationInterval < TimeSpan.FromSeconds(1) || options.CircuitRevalidationInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{WebOptions.SectionName}:{nameof(WebOptions.CircuitRevalidationInterval)} must be between 00:00:01 and 01:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
