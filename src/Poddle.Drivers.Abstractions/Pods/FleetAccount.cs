namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>A provider account's money (<see cref="IPodFleet.GetFleetAccountAsync"/>), in dollars.</summary>
/// <param name="Balance">What is left on the account.</param>
/// <param name="SpendPerHour">What its running pods cost per hour now.</param>
public sealed record FleetAccount(decimal Balance, decimal SpendPerHour);
