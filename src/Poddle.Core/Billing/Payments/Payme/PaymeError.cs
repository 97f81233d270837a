using System.Text.Json.Nodes;

namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>A Payme error: the code, and for account errors the account field in <see cref="Data"/>.</summary>
public sealed record PaymeError(int Code, string? Data = null)
{
    /// <summary>The localized message Payme shows (ru, uz, en), as its protocol asks.</summary>
    public JsonObject Message()
    {
        var (ru, uz, en) = Code switch
        {
            PaymeErrorCodes.InsufficientPrivilege => ("Недостаточно привилегий", "Huquqlar yetarli emas", "Insufficient privileges"),
            PaymeErrorCodes.ParseError => ("Ошибка разбора JSON", "JSON tahlil xatosi", "Parse error"),
            PaymeErrorCodes.InvalidRequest => ("Неверный запрос", "Noto'g'ri so'rov", "Invalid request"),
            PaymeErrorCodes.MethodNotFound => ("Метод не найден", "Metod topilmadi", "Method not found"),
            PaymeErrorCodes.InvalidAmount => ("Неверная сумма", "Noto'g'ri summa", "Invalid amount"),
            PaymeErrorCodes.TransactionNotFound => ("Транзакция не найдена", "Tranzaksiya topilmadi", "Transaction not found"),
            PaymeErrorCodes.CannotCancel => ("Невозможно отменить транзакцию", "Tranzaksiyani bekor qilib bo'lmaydi", "Unable to cancel the transaction"),
            PaymeErrorCodes.CannotPerform => ("Невозможно выполнить операцию", "Amalni bajarib bo'lmaydi", "Unable to perform the operation"),
            PaymeErrorCodes.OrderNotFound => ("Заказ не найден", "Buyurtma topilmadi", "Order not found"),
            PaymeErrorCodes.OrderBusy => ("Заказ ожидает оплаты", "Buyurtma to'lovni kutmoqda", "The order is being paid"),
            PaymeErrorCodes.OrderClosed => ("Заказ уже оплачен или отменён", "Buyurtma to'langan yoki bekor qilingan", "The order was paid or cancelled"),
            _ => ("Системная ошибка", "Tizim xatosi", "System error"),
        };
        return new JsonObject { ["ru"] = ru, ["uz"] = uz, ["en"] = en };
    }
}
