"""Problems that make a whole file unusable, with messages a person can act on."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

Locale = Literal["pt-BR", "en"]


class FileProblem(BaseModel):
    """One reason a file cannot be imported: a stable code, where, and the values to explain it."""

    model_config = ConfigDict(frozen=True)

    code: str
    line: int | None = None
    params: dict[str, str] = {}


class FileProblemError(Exception):
    """Raised when a file cannot be read as a customer CSV at all."""

    def __init__(self, problem: FileProblem) -> None:
        super().__init__(problem.code)
        self.problem = problem


_MESSAGES: dict[str, dict[Locale, str]] = {
    "file.empty": {
        "pt-BR": "O arquivo está vazio. Envie um CSV com o cabeçalho na linha 1 "
        "e um cliente por linha.",
        "en": "The file is empty. Upload a CSV with the header on line 1 "
        "and one customer per line.",
    },
    "file.binary": {
        "pt-BR": "O arquivo não é um CSV de texto (parece uma planilha .xlsx ou um arquivo "
        'binário). No Excel, use Arquivo > Salvar como > "CSV UTF-8 (delimitado por vírgulas)".',
        "en": "The file is not a text CSV (it looks like an .xlsx workbook or a binary "
        'file). In Excel, use File > Save as > "CSV UTF-8 (comma delimited)".',
    },
    "file.header_only": {
        "pt-BR": "O arquivo só tem o cabeçalho: nenhuma linha de cliente a partir da linha 2.",
        "en": "The file has only the header: no customer rows from line 2 on.",
    },
    "file.missing_columns": {
        "pt-BR": "Coluna obrigatória não encontrada no cabeçalho: {columns}. "
        "Confira a linha 1 ou use o modelo de arquivo.",
        "en": "Required column not found in the header: {columns}. "
        "Check line 1 or use the file template.",
    },
    "file.broken_structure": {
        "pt-BR": "A estrutura do arquivo quebra na linha {line}: provavelmente aspas abertas "
        "e nunca fechadas. Feche as aspas da célula ou remova-as ({detail}).",
        "en": "The file's structure breaks at line {line}: most likely a quote opened and never "
        "closed. Close the cell's quotes or remove them ({detail}).",
    },
    "import.interrupted": {
        "pt-BR": "A importação foi interrompida por um erro interno depois de {decided} linhas; "
        "nada do que já foi importado se perdeu. Envie o arquivo de novo: as linhas já "
        "importadas aparecerão como já cadastradas no arquivo de erros.",
        "en": "The import was stopped by an internal error after {decided} rows; nothing "
        "already imported was lost. Upload the file again: the rows already imported will be "
        "reported as already registered in the error file.",
    },
    "upload.file_name_missing": {
        "pt-BR": "Informe o nome do arquivo: ?file_name=clientes.csv (ou envie o arquivo como "
        "formulário multipart/form-data, no campo file).",
        "en": "Name the file: ?file_name=clientes.csv (or send it as a multipart/form-data "
        "form, in the field file).",
    },
    "upload.no_file": {
        "pt-BR": "O formulário não traz arquivo: envie o CSV no campo file "
        "(curl -F file=@clientes.csv).",
        "en": "The form has no file: send the CSV in the field file (curl -F file=@clientes.csv).",
    },
    "upload.bad_multipart": {
        "pt-BR": "Não foi possível ler o formulário multipart/form-data ({detail}). Envie o CSV "
        "no campo file (curl -F file=@clientes.csv) ou como o corpo da requisição.",
        "en": "The multipart/form-data body cannot be read ({detail}). Send the CSV in the "
        "field file (curl -F file=@clientes.csv) or as the raw request body.",
    },
    "import.already_started": {
        "pt-BR": "Esta importação já foi iniciada em {started_at} e não pode mais receber outro "
        "arquivo nem outro plano. Crie uma nova importação com o arquivo corrigido.",
        "en": "This import was started at {started_at}; it can no longer take another file "
        "or plan. Create a new import with the corrected file.",
    },
    "file.expired": {
        "pt-BR": "O arquivo desta importação expirou em {expired_at}: os arquivos ficam "
        "disponíveis por 2 meses. A importação e suas contagens continuam disponíveis.",
        "en": "This import's file expired at {expired_at}: files are kept for 2 months. "
        "The import and its counts remain available.",
    },
    "file.too_large": {
        "pt-BR": "O arquivo tem mais de {limit}. Divida-o em arquivos menores e importe cada um.",
        "en": "The file is larger than {limit}. Split it into smaller files and import each.",
    },
}


def render_problem(problem: FileProblem, locale: Locale = "pt-BR") -> str:
    """The problem as a sentence in the user's language."""
    params = {"line": str(problem.line), **problem.params}
    return _MESSAGES[problem.code][locale].format(**params)


def known_codes() -> frozenset[str]:
    """Every file problem code with a message."""
    return frozenset(_MESSAGES)
