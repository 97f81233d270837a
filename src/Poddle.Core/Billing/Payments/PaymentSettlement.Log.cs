using Microsoft.Extensions.Logging;

namespace Poddle.Core.Billing.Payments;

public sealed partial class PaymentSettlement
{
    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Payment {Provider} #{PaymentId} performed: {AmountMinor} minor units credited")]
    private static partial void LogPerformed(ILogger logger, string provider, long paymentId, long amountMinor);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "Payment {Provider} #{PaymentId} cancelled (reason {Reason})")]
    private static partial void LogCancelled(ILogger logger, string provider, long paymentId, int? reason);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Information, Message = "Payment {Provider} #{PaymentId} cancelled after perform: {AmountMinor} minor units debited back")]
    private static partial void LogRefunded(ILogger logger, string provider, long paymentId, long amountMinor);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "Payment {Provider} #{PaymentId}: cancel after perform refused, the balance no longer covers it")]
    private static partial void LogRefundRefused(ILogger logger, string provider, long paymentId);
}
