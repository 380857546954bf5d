using System.Text;

namespace Gme.Sources;

/// <summary>
/// Reads RFC 4180 records from text one at a time: quoted fields with <c>""</c> escapes, commas and line breaks
/// inside quotes, CRLF, LF or lone CR line ends. Lenient where the RFC is silent (a quote inside an unquoted field
/// is kept as text; text after a closing quote is appended) because real exports break those rules and the row is
/// still useful. Memory stays bounded: a record longer than <see cref="MaxRecordChars"/> is consumed but not kept.
/// </summary>
/// An invalid UTF-8 byte (read through <see cref="Utf8TextReader"/>) marks its record with the byte's offset.
internal sealed class CsvRecordReader(TextReader reader)
{
    /// <summary>Generous: H&amp;M rows are about 1 KB; embedding columns in a CSV export can reach hundreds of KB.</summary>
    public const int MaxRecordChars = 8 * 1024 * 1024;

    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;
    private bool _endOfInput;
    private long _line = 1;

    /// <summary>Returns the next record, or null at the end of the input. Blank lines are skipped.</summary>
    public async ValueTask<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await EnsureDataAsync(cancellationToken))
            {
                return null;
            }

            var record = await ReadRecordAsync(cancellationToken);
            if (record is not null)
            {
                return record;
            }
        }
    }

    /// <summary>Reads one record; null when the line was blank.</summary>
    private async ValueTask<CsvRecord?> ReadRecordAsync(CancellationToken cancellationToken)
    {
        var startLine = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        var total = 0;
        var tooLong = false;
        var inQuotes = false;
        var fieldStart = true;
        var sawAnything = false;
        long? invalidOffset = null;

        while (true)
        {
            if (_position >= _length && !await EnsureDataAsync(cancellationToken))
            {
                if (inQuotes)
                {
                    return new CsvRecord([], startLine, Unterminated: true, TooLong: tooLong, invalidOffset);
                }

                break;
            }

            var c = _buffer[_position++];
            if (c == Utf8TextReader.InvalidMarker && reader is Utf8TextReader utf8 && utf8.TakeInvalidOffset() is { } offset)
            {
                invalidOffset ??= offset;
            }

            if (inQuotes)
            {
                if (c == '"')
                {
                    if (await PeekAsync(cancellationToken) == '"')
                    {
                        _position++;
                        Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && await PeekAsync(cancellationToken) != '\n'))
                    {
                        _line++;
                    }

                    Append(c);
                }

                continue;
            }

            if (c == ',')
            {
                EndField();
                fieldStart = true;
                sawAnything = true;
                continue;
            }

            if (c is '\r' or '\n')
            {
                if (c == '\r' && await PeekAsync(cancellationToken) == '\n')
                {
                    _position++;
                }

                _line++;
                break;
            }

            sawAnything = true;
            if (c == '"' && fieldStart)
            {
                inQuotes = true;
                fieldStart = false;
                continue;
            }

            fieldStart = false;
            Append(c);
        }

        if (!sawAnything && fields.Count == 0 && field.Length == 0)
        {
            return null;
        }

        EndField();
        return new CsvRecord(tooLong ? [] : fields, startLine, Unterminated: false, TooLong: tooLong, invalidOffset);

        void Append(char ch)
        {
            if (tooLong)
            {
                return;
            }

            if (++total > MaxRecordChars)
            {
                tooLong = true;
                fields.Clear();
                field.Clear();
                return;
            }

            field.Append(ch);
        }

        void EndField()
        {
            if (!tooLong)
            {
                fields.Add(field.ToString());
            }

            field.Clear();
        }
    }

    private async ValueTask<int> PeekAsync(CancellationToken cancellationToken) =>
        _position < _length || await EnsureDataAsync(cancellationToken) ? _buffer[_position] : -1;

    private async ValueTask<bool> EnsureDataAsync(CancellationToken cancellationToken)
    {
        if (_position < _length)
        {
            return true;
        }

        if (_endOfInput)
        {
            return false;
        }

        _length = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
        _position = 0;
        _endOfInput = _length == 0;
        return !_endOfInput;
    }
}
