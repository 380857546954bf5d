namespace Gme.AppHost.Tests.Otlp;

/// <summary>One span as an OTLP exporter sent it: enough to group spans into traces and name them.</summary>
internal sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, DateTimeOffset Start)
{
    public bool IsRoot => ParentSpanId.Length == 0;

    /// <summary>
    /// Reads the spans of an OTLP ExportTraceServiceRequest: resource_spans(1) { resource(1) { attributes(1) },
    /// scope_spans(2) { scope(1) { name(1) }, spans(2) { trace_id(1), span_id(2), parent_span_id(4), name(5),
    /// start_time_unix_nano(7) } } }.
    /// </summary>
    public static List<ReceivedSpan> ParseExportRequest(ReadOnlySpan<byte> body)
    {
        var spans = new List<ReceivedSpan>();
        var request = new ProtoReader(body);
        while (request.Next())
        {
            if (request.Field != 1 || request.WireType != 2)
            {
                request.Skip();
                continue;
            }

            var resourceSpans = new ProtoReader(request.ReadBytes());
            var service = "";
            var scopes = new List<byte[]>();
            while (resourceSpans.Next())
            {
                if (resourceSpans.Field == 1 && resourceSpans.WireType == 2)
                {
                    service = ServiceName(resourceSpans.ReadBytes());
                }
                else if (resourceSpans.Field == 2 && resourceSpans.WireType == 2)
                {
                    scopes.Add(resourceSpans.ReadBytes().ToArray());
                }
                else
                {
                    resourceSpans.Skip();
                }
            }

            foreach (var scope in scopes)
            {
                ReadScope(scope, service, spans);
            }
        }

        return spans;
    }

    private static void ReadScope(ReadOnlySpan<byte> scopeSpans, string service, List<ReceivedSpan> spans)
    {
        var reader = new ProtoReader(scopeSpans);
        var scopeName = "";
        while (reader.Next())
        {
            if (reader.Field == 1 && reader.WireType == 2)
            {
                var scope = new ProtoReader(reader.ReadBytes());
                while (scope.Next())
                {
                    if (scope.Field == 1 && scope.WireType == 2)
                    {
                        scopeName = scope.ReadString();
                    }
                    else
                    {
                        scope.Skip();
                    }
                }
            }
            else if (reader.Field == 2 && reader.WireType == 2)
            {
                spans.Add(ReadSpan(reader.ReadBytes(), service, scopeName));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static ReceivedSpan ReadSpan(ReadOnlySpan<byte> data, string service, string scope)
    {
        var span = new ProtoReader(data);
        string traceId = "", spanId = "", parent = "", name = "";
        ulong start = 0;
        while (span.Next())
        {
            switch (span.Field, span.WireType)
            {
                case (1, 2):
                    traceId = Convert.ToHexStringLower(span.ReadBytes());
                    break;
                case (2, 2):
                    spanId = Convert.ToHexStringLower(span.ReadBytes());
                    break;
                case (4, 2):
                    parent = Convert.ToHexStringLower(span.ReadBytes());
                    break;
                case (5, 2):
                    name = span.ReadString();
                    break;
                case (7, 1):
                    start = span.ReadFixed64();
                    break;
                default:
                    span.Skip();
                    break;
            }
        }

        return new ReceivedSpan(service, scope, traceId, spanId, parent, name,
            DateTimeOffset.UnixEpoch.AddTicks((long)(start / 100)));
    }

    /// <summary>The resource's service.name attribute: KeyValue { key(1), value(2): AnyValue { string_value(1) } }.</summary>
    private static string ServiceName(ReadOnlySpan<byte> resource)
    {
        var reader = new ProtoReader(resource);
        while (reader.Next())
        {
            if (reader.Field != 1 || reader.WireType != 2)
            {
                reader.Skip();
                continue;
            }

            var attribute = new ProtoReader(reader.ReadBytes());
            string? key = null, value = null;
            while (attribute.Next())
            {
                if (attribute.Field == 1 && attribute.WireType == 2)
                {
                    key = attribute.ReadString();
                }
                else if (attribute.Field == 2 && attribute.WireType == 2)
                {
                    var any = new ProtoReader(attribute.ReadBytes());
                    while (any.Next())
                    {
                        if (any.Field == 1 && any.WireType == 2)
                        {
                            value = any.ReadString();
                        }
                        else
                        {
                            any.Skip();
                        }
                    }
                }
                else
                {
                    attribute.Skip();
                }
            }

            if (key == "service.name" && value is not null)
            {
                return value;
            }
        }

        return "";
    }
}
