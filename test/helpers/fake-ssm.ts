import {
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  type ParameterMetadata,
  PutParameterCommand,
  type PutParameterCommandInput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { NOW } from './factories.js';

/** A stored parameter in the fake: value, description and version. */
export interface FakeParameter {
  value: string;
  description: string | undefined;
  version: number;
}

/**
 * A stateful SSM mock for unit tests: DescribeParameters (Name Equals) and PutParameter read and
 * write one in-memory map, so a second delivery of a job sees what the first one wrote.
 */
export class FakeSsm {
  /** The aws-sdk-client-mock stub, for call assertions and for overriding a command. */
  readonly stub = mockClient(SSMClient);
  /** The stored parameters by name. */
  readonly parameters = new Map<string, FakeParameter>();

  /** Forgets every call and parameter and installs the default behaviour again. */
  reset(): void {
    this.stub.reset();
    this.parameters.clear();
    this.stub.on(DescribeParametersCommand).callsFake((input: DescribeParametersCommandInput) => ({
      Parameters: (input.ParameterFilters?.find((f) => f.Key === 'Name')?.Values ?? []).flatMap(
        (name): ParameterMetadata[] => {
          const found = this.parameters.get(name);
          return found === undefined
            ? []
            : [
                {
                  Name: name,
                  Type: 'SecureString',
                  Version: found.version,
                  Description: found.description,
                  LastModifiedDate: NOW,
                },
              ];
        },
      ),
    }));
    this.stub
      .on(PutParameterCommand)
      .callsFake((input: PutParameterCommandInput) => this.put(input));
  }

  /** PutParameter as SSM does it: a new version, with the value and description given. */
  put(input: PutParameterCommandInput): { Version: number; Tier: 'Standard' } {
    const name = input.Name ?? '';
    const version = (this.parameters.get(name)?.version ?? 0) + 1;
    this.parameters.set(name, {
      value: input.Value ?? '',
      description: input.Description,
      version,
    });
    return { Version: version, Tier: 'Standard' };
  }
}
