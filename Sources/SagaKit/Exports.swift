// JSONValue is the payload type of SagaKit's API, so every user of SagaKit sees it through `import SagaKit`.
@_exported import JSONValues
