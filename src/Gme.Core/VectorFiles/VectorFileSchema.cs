using Parquet.Schema;

namespace Gme.Core.VectorFiles;

/// <summary>The column layout shared by <see cref="VectorFileWriter"/> and <see cref="VectorFileReader"/>.</summary>
internal static class VectorFileSchema
{
    public const string ProductIdColumn = "product_id";
    public const string PointIdColumn = "point_id";
    public const string ModelIdColumn = "model_id";

    /// <summary>File metadata: the model, and each space's size so an empty file still knows its dimensions.</summary>
    public const string ModelIdKey = "gme.model_id";
    public const string DimensionsKeyPrefix = "gme.dimensions.";

    public const int RowGroupSize = 1024;

    public static readonly DataField ProductId = new(ProductIdColumn, typeof(string), isNullable: false);
    public static readonly DataField PointId = new(PointIdColumn, typeof(string), isNullable: false);
    public static readonly DataField ModelId = new(ModelIdColumn, typeof(string), isNullable: false);

    public static bool IsReservedName(string name) =>
        name is ProductIdColumn or PointIdColumn or ModelIdColumn;

    /// <summary>
    /// A standard three-level LIST of non-null floats (<c>name/list/element</c>), which pyarrow, pandas and DuckDB
    /// read as a list of floats. The list itself is optional, as pyarrow writes it.
    /// </summary>
    public static ListField Space(string name) => new(name, new DataField<float>(ListField.ElementName));
}
