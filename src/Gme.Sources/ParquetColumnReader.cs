using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Gme.Sources;

/// <summary>Reads one flat Parquet column of a row group as invariant-culture strings.</summary>
internal static class ParquetColumnReader
{
    private static readonly HashSet<Type> s_supported =
    [
        typeof(string), typeof(ReadOnlyMemory<char>), typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int),
        typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal),
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan), typeof(Guid),
    ];

    public static bool Supports(Type clrType) => s_supported.Contains(clrType);

    public static async Task<string?[]> ReadAsStringsAsync(ParquetRowGroupReader rowGroup, DataField field, int rowCount, CancellationToken cancellationToken)
    {
        var type = field.ClrType;
        // Parquet.Net 6 reports text columns as ReadOnlyMemory<char>; the string overload reads them either way.
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[rowCount];
            await rowGroup.ReadAsync(field, strings.AsMemory(), null, cancellationToken);
            return strings;
        }

        return type switch
        {
            _ when type == typeof(bool) => await ReadAsync<bool>(rowGroup, field, rowCount, v => v ? "true" : "false", cancellationToken),
            _ when type == typeof(byte) => await ReadAsync<byte>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(sbyte) => await ReadAsync<sbyte>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(short) => await ReadAsync<short>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(ushort) => await ReadAsync<ushort>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(int) => await ReadAsync<int>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(uint) => await ReadAsync<uint>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(long) => await ReadAsync<long>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(ulong) => await ReadAsync<ulong>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(float) => await ReadAsync<float>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(double) => await ReadAsync<double>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(decimal) => await ReadAsync<decimal>(rowGroup, field, rowCount, v => v.ToString(CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(DateTime) => await ReadAsync<DateTime>(rowGroup, field, rowCount, v => v.ToString("O", CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(DateTimeOffset) => await ReadAsync<DateTimeOffset>(rowGroup, field, rowCount, v => v.ToString("O", CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(DateOnly) => await ReadAsync<DateOnly>(rowGroup, field, rowCount, v => v.ToString("O", CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(TimeOnly) => await ReadAsync<TimeOnly>(rowGroup, field, rowCount, v => v.ToString("O", CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(TimeSpan) => await ReadAsync<TimeSpan>(rowGroup, field, rowCount, v => v.ToString("c", CultureInfo.InvariantCulture), cancellationToken),
            _ when type == typeof(Guid) => await ReadAsync<Guid>(rowGroup, field, rowCount, v => v.ToString("D"), cancellationToken),
            _ => throw new NotSupportedException($"Parquet column '{field.Name}' has unsupported type {type.Name}."),
        };
    }

    private static async Task<string?[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rowCount, Func<T, string> format, CancellationToken cancellationToken)
        where T : struct
    {
        var result = new string?[rowCount];
        if (field.IsNullable)
        {
            var values = new T?[rowCount];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (var i = 0; i < rowCount; i++)
            {
                result[i] = values[i] is { } v ? format(v) : null;
            }
        }
        else
        {
            var values = new T[rowCount];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, cancellationToken);
            for (var i = 0; i < rowCount; i++)
            {
                result[i] = format(values[i]);
            }
        }

        return result;
    }
}
