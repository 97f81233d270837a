namespace Poddle.Core.Billing.Payments.Click;

/// <summary>
/// The answer to Prepare (<see cref="MerchantPrepareId"/>) or Complete (<see cref="MerchantConfirmId"/>), as Click reads
/// it: <c>click_trans_id</c>, <c>merchant_trans_id</c>, the id, <c>error</c> and <c>error_note</c>.
/// </summary>
public sealed record ClickReply(long? ClickTransId, string? MerchantTransId, long? MerchantPrepareId, long? MerchantConfirmId, int Error)
{
    public string ErrorNote => ClickErrorCodes.Note(Error);
}
