using Microsoft.Extensions.Options;

namespace Poddle.Server.Piston;

/// <summary>
/// Checks <see cref="PistonOptions"/> (section "Piston"). Its one setting is a switch: any value that binds is valid, and
/// one that does not (Piston:AllowAnonymous=maybe) fails the binding, which names the key, at start instead of at the
/// first request. Kept as the place a new Piston setting's rules go.
/// </summary>
public sealed class PistonOptionsValidator : IValidateOptions<PistonOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PistonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ValidateOptionsResult.Success;
    }
}
