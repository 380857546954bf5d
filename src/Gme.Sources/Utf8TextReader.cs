using System.Text;

namespace Gme.Sources;

/// <summary>
/// Strict UTF-8 text from a catalogue stream. Each invalid byte sequence becomes one <see cref="InvalidMarker"/>
/// character and its absolute byte offset is queued, so that the reader of records can reject exactly the row that
/// holds it, with the offset, instead of a silent U+FFFD in an id. The encoding is checked from the first bytes
/// (<see cref="CatalogueFile.CheckTextStart"/>) and one UTF-8 byte-order mark is skipped.
/// </summary>
internal sealed class Utf8TextReader : TextReader
{
    /// <summary>A noncharacter, never meant to appear in interchanged text, standing in for an invalid byte.</summary>
    public const char InvalidMarker = '\uFDD0';

    private readonly Stream _stream;
    private readonly string _path;
    private readonly Decoder _decoder;
    private readonly byte[] _bytes = new byte[64 * 1024];
    private readonly char[] _chars;
    private readonly Queue<long> _invalidOffsets = new();
    private int _charPosition;
    private int _charLength;
    private long _bytesRead;
    private long _chunkStart;
    private bool _started;
    private bool _ended;

    public Utf8TextReader(Stream stream, string path)
    {
        _stream = stream;
        _path = path;
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).Clone();
        encoding.DecoderFallback = new MarkingFallback(this);
        _decoder = encoding.GetDecoder();
        _chars = new char[encoding.GetMaxCharCount(_bytes.Length)];
    }

    /// <summary>The byte offset of the next invalid sequence the caller has met, in file order.</summary>
    public long? TakeInvalidOffset() => _invalidOffsets.TryDequeue(out var offset) ? offset : null;

    public override int Peek() => _charPosition < _charLength || Fill() ? _chars[_charPosition] : -1;

    public override int Read() => _charPosition < _charLength || Fill() ? _chars[_charPosition++] : -1;

    public override int Read(Span<char> buffer)
    {
        if (_charPosition >= _charLength && !Fill())
        {
            return 0;
        }

        var count = Math.Min(buffer.Length, _charLength - _charPosition);
        _chars.AsSpan(_charPosition, count).CopyTo(buffer);
        _charPosition += count;
        return count;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    /// <summary>
    /// Reads one line (without its line end), or null at the end. A line longer than <paramref name="maxChars"/> is
    /// consumed but not kept: <see cref="TextLine.TooLong"/> is set and the text is empty.
    /// </summary>
    public TextLine? ReadLine(int maxChars)
    {
        if (_charPosition >= _charLength && !Fill())
        {
            return null;
        }

        var sb = new StringBuilder();
        var tooLong = false;
        long? invalidOffset = null;
        while (_charPosition < _charLength || Fill())
        {
            var span = _chars.AsSpan(_charPosition, _charLength - _charPosition);
            var end = span.IndexOfAny('\n', '\r');
            var piece = end < 0 ? span : span[..end];
            foreach (var c in piece)
            {
                if (c == InvalidMarker && TakeInvalidOffset() is { } offset)
                {
                    invalidOffset ??= offset;
                }
            }

            if (!tooLong && sb.Length + piece.Length > maxChars)
            {
                tooLong = true;
                sb.Clear();
            }

            if (!tooLong)
            {
                sb.Append(piece);
            }

            _charPosition += piece.Length;
            if (end >= 0)
            {
                var c = _chars[_charPosition++];
                if (c == '\r' && Peek() == '\n')
                {
                    _charPosition++;
                }

                break;
            }
        }

        return new TextLine(sb.ToString(), invalidOffset, tooLong);
    }

    private bool Fill()
    {
        while (!_ended)
        {
            var count = _stream.Read(_bytes, 0, _bytes.Length);
            var skip = 0;
            if (!_started)
            {
                _started = true;
                // The first read of a file stream returns its first bytes, enough for the checks (4 KB or the whole file).
                skip = CatalogueFile.CheckTextStart(_path, _bytes.AsSpan(0, Math.Min(count, CatalogueFile.SniffBytes)));
            }

            // Fallback offsets are relative to the first byte handed to the decoder.
            _chunkStart = _bytesRead + skip;
            _bytesRead += count;
            _ended = count == 0;
            _charLength = _decoder.GetChars(_bytes, skip, count - skip, _chars, 0, flush: _ended);
            _charPosition = 0;
            if (_charLength > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces each invalid sequence by <see cref="InvalidMarker"/> and records where it was.</summary>
    private sealed class MarkingFallback(Utf8TextReader owner) : DecoderFallback
    {
        public override int MaxCharCount => 1;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(owner);

        private sealed class Buffer(Utf8TextReader owner) : DecoderFallbackBuffer
        {
            private bool _pending;

            public override int Remaining => _pending ? 1 : 0;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                owner._invalidOffsets.Enqueue(Math.Max(0, owner._chunkStart + index));
                _pending = true;
                return true;
            }

            public override char GetNextChar()
            {
                if (!_pending)
                {
                    return '\0';
                }

                _pending = false;
                return InvalidMarker;
            }

            public override bool MovePrevious() => false;

            public override void Reset() => _pending = false;
        }
    }
}

/// <summary>One line of text; <paramref name="InvalidByteOffset"/> is the first invalid UTF-8 byte in it, if any.</summary>
internal sealed record TextLine(string Text, long? InvalidByteOffset, bool TooLong);
