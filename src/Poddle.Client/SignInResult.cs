using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>What the password step of a sign-in gave: tokens, or a two-factor challenge to finish with a code.</summary>
public sealed record SignInResult(TokenResponse? Tokens, TwoFactorChallengeResponse? Challenge);
